package dev.quill.prompts.render;

import dev.quill.prompts.CallPart;
import dev.quill.prompts.ChatMessage;
import dev.quill.prompts.GenerationSettings;
import dev.quill.prompts.Generator;
import dev.quill.prompts.InvalidTemplateException;
import dev.quill.prompts.MessageTemplate;
import dev.quill.prompts.MissingVariableException;
import dev.quill.prompts.Persona;
import dev.quill.prompts.Prompt;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.Role;
import dev.quill.prompts.Step;
import dev.quill.prompts.TemplateKind;
import dev.quill.prompts.VariableSpec;
import dev.quill.prompts.persona.PersonaMerger;
import dev.quill.prompts.reframe.Change;
import dev.quill.prompts.reframe.Itemizer;
import dev.quill.prompts.reframe.PatternFormatter;
import dev.quill.prompts.reframe.PromptLayout;
import dev.quill.prompts.reframe.ReframeRule;
import dev.quill.prompts.reframe.Restrainer;
import dev.quill.prompts.reframe.Specializer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Renders templates with the reframing rules, and runs them (decomposed templates step by step)
 * with a {@link Generator}.
 *
 * <p>The rules work on the template's source, before Qute: so they rewrite what the template's
 * author wrote and never the user's inputs. In order: specialize drops generic sentences, itemize
 * turns instruction paragraphs into lists (all system and user parts and steps), then specialize,
 * restrain and pattern add their text after the instructions of the target part (the text body,
 * the first user message, or the last step when the template has no body of its own).
 *
 * <p>Variables: a missing required one is a {@link MissingVariableException} naming every missing
 * variable; defaults fill in the rest (optional variables without a default are ""); variables the
 * template does not declare are ignored with a warning, so one set of inputs can drive several
 * variants in a comparison. A template sees only its declared variables and step outputs.
 */
public final class PromptRenderer {
    private static final String PREVIEW_OUTPUT = "[output of step %s]";

    private final SandboxedRenderer renderer;
    private final Function<String, Optional<Persona>> personas;

    /** @param personas looks up a persona by name (the library) */
    public PromptRenderer(SandboxedRenderer renderer, Function<String, Optional<Persona>> personas) {
        this.renderer = renderer;
        this.personas = personas;
    }

    /** A source to render: where it came from (for changes), its role in a chat, and its text. */
    private record Part(String location, Role role, String source) {
        Part withSource(String s) {
            return new Part(location, role, s);
        }
    }

    /** The template after the rules, ready to render with step outputs. */
    private record Plan(PromptTemplate template, List<Part> steps, List<Part> finals, Map<String, Object> variables,
                        GenerationSettings settings, List<Change> changes, List<String> warnings, Persona persona,
                        RenderOptions options) {
        boolean decomposed() {
            return options.has(ReframeRule.DECOMPOSE) && !steps.isEmpty();
        }
    }

    public RenderedPrompt render(PromptTemplate template, Map<String, ?> variables, RenderOptions options) {
        Plan plan = plan(template, variables, options);
        if (!plan.decomposed()) {
            Prompt single = singlePrompt(plan);
            return rendered(plan, single, List.of());
        }
        Map<String, Object> outputs = new LinkedHashMap<>();
        List<RenderedStep> steps = new ArrayList<>();
        for (int i = 0; i < plan.steps.size(); i++) {
            String name = template.steps().get(i).name();
            steps.add(new RenderedStep(name, stepPrompt(plan, plan.steps.get(i), outputs)));
            outputs.put(name, PREVIEW_OUTPUT.formatted(name));
        }
        if (!plan.finals.isEmpty()) {
            steps.add(new RenderedStep("final", finalPrompt(plan, outputs)));
        }
        return rendered(plan, steps.getLast().prompt(), steps);
    }

    /**
     * Renders and runs the template: one call, or (with the decompose rule and declared steps) one
     * call per step, each step's output becoming the variable named after the step, then the
     * template's own body if it has one. Steps use the template's default settings; the call that
     * produces the answer uses the restrained settings.
     */
    public PromptRun run(PromptTemplate template, Map<String, ?> variables, RenderOptions options, Generator generator) {
        Plan plan = plan(template, variables, options);
        if (!plan.decomposed()) {
            Prompt single = singlePrompt(plan);
            String out = generator.generate(CallPart.OUTPUT, single, plan.settings);
            return new PromptRun(rendered(plan, single, List.of()), List.of(new StepResult("final", single, out)));
        }
        GenerationSettings stepSettings = GenerationSettings.of(template.defaults());
        Map<String, Object> outputs = new LinkedHashMap<>();
        List<StepResult> calls = new ArrayList<>();
        List<RenderedStep> sent = new ArrayList<>();
        for (int i = 0; i < plan.steps.size(); i++) {
            String name = template.steps().get(i).name();
            boolean answersTemplate = plan.finals.isEmpty() && i == plan.steps.size() - 1;
            Prompt p = stepPrompt(plan, plan.steps.get(i), outputs);
            String out = generator.generate(CallPart.step(name), p, answersTemplate ? plan.settings : stepSettings);
            calls.add(new StepResult(name, p, out));
            sent.add(new RenderedStep(name, p));
            outputs.put(name, out.strip());
        }
        if (!plan.finals.isEmpty()) {
            Prompt p = finalPrompt(plan, outputs);
            calls.add(new StepResult("final", p, generator.generate(CallPart.OUTPUT, p, plan.settings)));
            sent.add(new RenderedStep("final", p));
        }
        return new PromptRun(rendered(plan, sent.getLast().prompt(), sent), calls);
    }

    private RenderedPrompt rendered(Plan plan, Prompt prompt, List<RenderedStep> steps) {
        return new RenderedPrompt(plan.template.name(), prompt, steps, plan.settings, plan.changes, plan.warnings, plan.options.rules());
    }

    // ---- planning: variables and rules ----

    private Plan plan(PromptTemplate t, Map<String, ?> given, RenderOptions options) {
        List<String> warnings = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        Map<String, Object> vars = resolveVariables(t, given, warnings);
        Persona persona = null;
        if (t.persona() != null) {
            persona = personas.apply(t.persona()).orElseThrow(() -> new InvalidTemplateException("persona",
                    "template " + t.name() + " uses persona " + t.persona() + ", which is not in the library"));
        }

        List<Part> steps = new ArrayList<>();
        for (Step s : t.steps()) {
            steps.add(new Part("step " + s.name(), Role.USER, s.body()));
        }
        List<Part> finals = new ArrayList<>();
        if (t.kind() == TemplateKind.TEXT) {
            if (!t.body().isEmpty()) {
                finals.add(new Part("prompt", null, t.body()));
            }
        } else {
            for (int i = 0; i < t.messages().size(); i++) {
                MessageTemplate m = t.messages().get(i);
                finals.add(new Part("message " + (i + 1) + " (" + m.role().id() + ")", m.role(), m.body()));
            }
        }

        if (options.has(ReframeRule.SPECIALIZE)) {
            forInstructions(steps, finals, p -> {
                Specializer.Result r = Specializer.dropGeneric(p.source(), p.location());
                changes.addAll(r.changes());
                return p.withSource(r.text());
            });
        }
        if (options.has(ReframeRule.ITEMIZE)) {
            forInstructions(steps, finals, p -> {
                Itemizer.Result r = Itemizer.apply(p.source(), p.location());
                changes.addAll(r.changes());
                return p.withSource(r.text());
            });
        }

        // The part that carries the task's instructions and receives the additions.
        List<Part> targetList = finals.isEmpty() ? steps : finals;
        int target = targetIndex(targetList, finals.isEmpty());
        Part tp = targetList.get(target);
        boolean textPrompt = t.kind() == TemplateKind.TEXT;

        if (options.has(ReframeRule.SPECIALIZE)) {
            if (t.taskType() == null) {
                warnings.add("specialize: the template declares no task type, so only generic statements were dropped");
            } else {
                Specializer.Result r = Specializer.address(tp.source(), t.taskType(), tp.location(), textPrompt);
                changes.addAll(r.changes());
                tp = tp.withSource(r.text());
            }
        }
        GenerationSettings settings = GenerationSettings.of(t.defaults());
        if (options.has(ReframeRule.RESTRAIN)) {
            if (t.constraints().isEmpty()) {
                warnings.add("restrain: the template declares no output constraints");
            } else {
                Restrainer.Result r = Restrainer.apply(t.constraints(), settings, options.tokenizer());
                // A statement the author already wrote is not added twice.
                String current = tp.source().toLowerCase(java.util.Locale.ROOT);
                List<String> statements = r.statements().stream()
                        .filter(st -> !current.contains(st.toLowerCase(java.util.Locale.ROOT))).toList();
                if (!statements.isEmpty()) {
                    tp = tp.withSource(PromptLayout.appendInstructions(tp.source(),
                            statements.stream().map(PromptLayout::quteLiteral).toList()));
                    changes.add(new Change(ReframeRule.RESTRAIN, Change.Type.ADD, tp.location(), "",
                            String.join("\n", statements), "output constraints stated explicitly"));
                }
                changes.addAll(r.changes());
                settings = r.settings();
            }
        }
        if (options.has(ReframeRule.PATTERN)) {
            if (t.examples().isEmpty()) {
                warnings.add("pattern: the template has no examples");
            } else {
                String block = PatternFormatter.format(t.examples(), false);
                tp = tp.withSource(PromptLayout.insertAfterInstructions(tp.source(), PromptLayout.quteLiteral(block)));
                changes.add(new Change(ReframeRule.PATTERN, Change.Type.ADD, tp.location(), "", block,
                        t.examples().size() + " example" + (t.examples().size() == 1 ? "" : "s") + " shown in one Input/Output format"));
            }
        }
        targetList.set(target, tp);

        if (options.has(ReframeRule.DECOMPOSE)) {
            if (t.steps().isEmpty()) {
                warnings.add("decompose: the template declares no steps (see the linter's multiple-tasks findings)");
            } else {
                List<String> names = t.steps().stream().map(Step::name).toList();
                changes.add(new Change(ReframeRule.DECOMPOSE, Change.Type.EDIT, "steps", "one prompt",
                        (names.size() + (finals.isEmpty() ? 0 : 1)) + " calls in order: " + String.join(" → ", names)
                                + (finals.isEmpty() ? "" : " → final"),
                        "each sub-task runs on its own; its output is the variable {" + names.getFirst() + "}, ... for the later ones"));
            }
        }
        return new Plan(t, steps, finals, vars, settings, changes, warnings, persona, options);
    }

    private static void forInstructions(List<Part> steps, List<Part> finals, Function<Part, Part> f) {
        for (List<Part> list : List.of(steps, finals)) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).role() != Role.ASSISTANT) {
                    list.set(i, f.apply(list.get(i)));
                }
            }
        }
    }

    private static int targetIndex(List<Part> parts, boolean steps) {
        if (steps) {
            return parts.size() - 1;
        }
        for (Role r : new Role[] {Role.USER, Role.SYSTEM}) {
            for (int i = 0; i < parts.size(); i++) {
                if (parts.get(i).role() == r) {
                    return i;
                }
            }
        }
        return 0;
    }

    static Map<String, Object> resolveVariables(PromptTemplate t, Map<String, ?> given, List<String> warnings) {
        Map<String, Object> vars = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (VariableSpec v : t.variables()) {
            Object value = given.get(v.name());
            if (value == null) {
                if (v.required()) {
                    missing.add(v.name());
                    continue;
                }
                value = v.defaultValue() == null ? "" : v.defaultValue();
            }
            vars.put(v.name(), value);
        }
        if (!missing.isEmpty()) {
            throw new MissingVariableException(t.name(), missing);
        }
        List<String> unknown = given.keySet().stream().filter(k -> t.variable(k).isEmpty()).sorted().toList();
        if (!unknown.isEmpty()) {
            warnings.add("ignored variable" + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown)
                    + ": not declared by " + t.name() + " (declared: "
                    + String.join(", ", t.variables().stream().map(VariableSpec::name).toList()) + ")");
        }
        return vars;
    }

    // ---- rendering ----

    private String renderPart(Plan plan, Part part, Map<String, Object> stepOutputs) {
        Map<String, Object> data = new LinkedHashMap<>(plan.variables);
        data.putAll(stepOutputs);
        return renderer.render(plan.template.name() + " (" + part.location() + ")", part.source(), data).strip();
    }

    /** The template as one prompt: steps (if any) as numbered sub-tasks, then the body or messages. */
    private Prompt singlePrompt(Plan plan) {
        if (plan.steps.isEmpty()) {
            return finalPrompt(plan, Map.of());
        }
        Map<String, Object> refs = new LinkedHashMap<>();
        List<String> numbered = new ArrayList<>();
        for (int i = 0; i < plan.steps.size(); i++) {
            numbered.add("Step " + (i + 1) + ":\n" + renderPart(plan, plan.steps.get(i), refs));
            refs.put(plan.template.steps().get(i).name(), "(your answer to step " + (i + 1) + ")");
        }
        String merged = String.join("\n\n", numbered);
        if (plan.finals.isEmpty()) {
            return plan.template.kind() == TemplateKind.TEXT ? Prompt.text(withPersonaText(plan, merged))
                    : Prompt.chat(chat(plan, List.of(ChatMessage.user(merged))));
        }
        if (plan.template.kind() == TemplateKind.TEXT) {
            return Prompt.text(withPersonaText(plan, merged + "\n\n" + renderPart(plan, plan.finals.getFirst(), refs)));
        }
        List<ChatMessage> messages = renderMessages(plan, refs);
        int target = targetIndex(plan.finals, false);
        ChatMessage m = messages.get(target);
        messages.set(target, new ChatMessage(m.role(), merged + "\n\n" + m.content()));
        return Prompt.chat(chat(plan, messages));
    }

    private Prompt finalPrompt(Plan plan, Map<String, Object> outputs) {
        if (plan.template.kind() == TemplateKind.TEXT) {
            return Prompt.text(withPersonaText(plan, renderPart(plan, plan.finals.getFirst(), outputs)));
        }
        return Prompt.chat(chat(plan, renderMessages(plan, outputs)));
    }

    private Prompt stepPrompt(Plan plan, Part step, Map<String, Object> outputs) {
        String text = renderPart(plan, step, outputs);
        if (plan.template.kind() == TemplateKind.TEXT) {
            return Prompt.text(withPersonaText(plan, text));
        }
        // A chat step keeps the template's system messages for context, then asks the step.
        List<ChatMessage> messages = new ArrayList<>();
        for (Part p : plan.finals) {
            if (p.role() == Role.SYSTEM) {
                messages.add(ChatMessage.system(renderPart(plan, p, outputs)));
            }
        }
        messages.add(ChatMessage.user(text));
        return Prompt.chat(chat(plan, messages));
    }

    private List<ChatMessage> renderMessages(Plan plan, Map<String, Object> outputs) {
        List<ChatMessage> messages = new ArrayList<>();
        for (Part p : plan.finals) {
            messages.add(new ChatMessage(p.role(), renderPart(plan, p, outputs)));
        }
        return messages;
    }

    private static List<ChatMessage> chat(Plan plan, List<ChatMessage> messages) {
        List<ChatMessage> withPersona = plan.persona == null ? messages : PersonaMerger.withPersona(plan.persona, messages);
        return PersonaMerger.forTemplate(withPersona, plan.options.systemRoleSupported());
    }

    private static String withPersonaText(Plan plan, String text) {
        return plan.persona == null ? text : plan.persona.systemPrompt() + "\n\n" + text;
    }
}
