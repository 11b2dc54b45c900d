package dev.quill.prompts;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A prompt template: metadata, declared variables, suggested model parameters and Qute bodies.
 * Immutable; equal content gives equal records (bodies are normalised by {@link Text#normalizeBody}).
 *
 * @param name        path-like slug, e.g. {@code qa/answer-check}
 * @param description one line shown in lists
 * @param tags        free labels for search
 * @param variables   the variables the bodies may use
 * @param defaults    model parameters the template suggests
 * @param kind        TEXT (one prompt, {@code body}) or CHAT ({@code messages})
 * @param body        the Qute body of a TEXT template; "" for CHAT, and for a TEXT template whose
 *                    last step gives the answer
 * @param messages    the message templates of a CHAT template; empty for TEXT
 * @param steps       decomposition: sub-tasks run in order, each output a variable for the next
 * @param constraints output constraints (restrain rule)
 * @param examples    few-shot examples (pattern rule, few-shot chain-of-thought)
 * @param taskType    the task type for the specialize rule; null when not stated
 * @param persona     name of the persona whose system prompt comes first; null for none
 * @param cot         suggested chain-of-thought setting; null for none
 */
public record PromptTemplate(
        String name,
        String description,
        List<String> tags,
        List<VariableSpec> variables,
        ModelDefaults defaults,
        TemplateKind kind,
        String body,
        List<MessageTemplate> messages,
        List<Step> steps,
        OutputConstraints constraints,
        List<FewShotExample> examples,
        TaskType taskType,
        String persona,
        CotSpec cot) {

    public PromptTemplate {
        Names.requireSlug("name", name);
        description = Text.normalizeLine(description);
        tags = normalizeTags(tags);
        variables = variables == null ? List.of() : List.copyOf(variables);
        defaults = defaults == null ? ModelDefaults.NONE : defaults;
        kind = kind == null ? TemplateKind.TEXT : kind;
        body = Text.normalizeBody(body == null ? "" : body);
        messages = messages == null ? List.of() : List.copyOf(messages);
        steps = steps == null ? List.of() : List.copyOf(steps);
        constraints = constraints == null ? OutputConstraints.NONE : constraints;
        examples = examples == null ? List.of() : List.copyOf(examples);
        if (persona != null) {
            persona = persona.isBlank() ? null : Names.requireSlug("persona", persona.strip());
        }

        switch (kind) {
            case TEXT -> {
                if (!messages.isEmpty()) {
                    throw new InvalidTemplateException("messages", "a text template has a body, not messages (use kind: chat)");
                }
                if (body.isEmpty() && steps.isEmpty()) {
                    throw new InvalidTemplateException("body", "template " + name + " has an empty body and no steps");
                }
            }
            case CHAT -> {
                if (!body.isEmpty()) {
                    throw new InvalidTemplateException("body", "a chat template has messages, not a body (use kind: text)");
                }
                if (messages.isEmpty() && steps.isEmpty()) {
                    throw new InvalidTemplateException("messages", "chat template " + name + " has no messages and no steps");
                }
            }
        }

        Set<String> seen = new HashSet<>();
        for (VariableSpec v : variables) {
            if (!seen.add(v.name())) {
                throw new InvalidTemplateException("variables", "variable '" + v.name() + "' is declared twice");
            }
        }
        for (Step s : steps) {
            if (!seen.add(s.name())) {
                throw new InvalidTemplateException("steps", "step '" + s.name() + "' has the name of a variable or an earlier step;"
                        + " its output becomes a variable, so names must be unique");
            }
        }
    }

    private static List<String> normalizeTags(List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String t : tags) {
            if (t == null || t.isBlank()) {
                throw new InvalidTemplateException("tags", "tags must be non-empty strings");
            }
            if (!out.contains(t.strip())) {
                out.add(t.strip());
            }
        }
        return List.copyOf(out);
    }

    public Optional<VariableSpec> variable(String variableName) {
        return variables.stream().filter(v -> v.name().equals(variableName)).findFirst();
    }

    public boolean isDecomposed() {
        return !steps.isEmpty();
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.description = description;
        b.tags = new ArrayList<>(tags);
        b.variables = new ArrayList<>(variables);
        b.defaults = defaults;
        b.kind = kind;
        b.body = body;
        b.messages = new ArrayList<>(messages);
        b.steps = new ArrayList<>(steps);
        b.constraints = constraints;
        b.examples = new ArrayList<>(examples);
        b.taskType = taskType;
        b.persona = persona;
        b.cot = cot;
        return b;
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private String name;
        private String description = "";
        private List<String> tags = new ArrayList<>();
        private List<VariableSpec> variables = new ArrayList<>();
        private ModelDefaults defaults = ModelDefaults.NONE;
        private TemplateKind kind = TemplateKind.TEXT;
        private String body = "";
        private List<MessageTemplate> messages = new ArrayList<>();
        private List<Step> steps = new ArrayList<>();
        private OutputConstraints constraints = OutputConstraints.NONE;
        private List<FewShotExample> examples = new ArrayList<>();
        private TaskType taskType;
        private String persona;
        private CotSpec cot;

        private Builder(String name) {
            this.name = name;
        }

        public Builder name(String v) { name = v; return this; }
        public Builder description(String v) { description = v; return this; }
        public Builder tags(List<String> v) { tags = new ArrayList<>(v); return this; }
        public Builder tag(String v) { tags.add(v); return this; }
        public Builder variables(List<VariableSpec> v) { variables = new ArrayList<>(v); return this; }
        public Builder variable(VariableSpec v) { variables.add(v); return this; }
        public Builder defaults(ModelDefaults v) { defaults = v; return this; }
        public Builder kind(TemplateKind v) { kind = v; return this; }
        /** Sets the body of a TEXT template. */
        public Builder body(String v) { kind = TemplateKind.TEXT; body = v; return this; }
        public Builder messages(List<MessageTemplate> v) { messages = new ArrayList<>(v); return this; }
        /** Adds a message and makes this a CHAT template. */
        public Builder message(Role role, String messageBody) {
            kind = TemplateKind.CHAT;
            messages.add(new MessageTemplate(role, messageBody));
            return this;
        }
        public Builder steps(List<Step> v) { steps = new ArrayList<>(v); return this; }
        public Builder step(String stepName, String stepBody) { steps.add(new Step(stepName, stepBody)); return this; }
        public Builder constraints(OutputConstraints v) { constraints = v; return this; }
        public Builder examples(List<FewShotExample> v) { examples = new ArrayList<>(v); return this; }
        public Builder example(FewShotExample v) { examples.add(v); return this; }
        public Builder taskType(TaskType v) { taskType = v; return this; }
        public Builder persona(String v) { persona = v; return this; }
        public Builder cot(CotSpec v) { cot = v; return this; }

        public PromptTemplate build() {
            return new PromptTemplate(name, description, tags, variables, defaults, kind, body, messages, steps,
                    constraints, examples, taskType, persona, cot);
        }
    }
}
