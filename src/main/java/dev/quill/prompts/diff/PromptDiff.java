package dev.quill.prompts.diff;

import dev.quill.prompts.FewShotExample;
import dev.quill.prompts.MessageTemplate;
import dev.quill.prompts.ModelDefaults;
import dev.quill.prompts.OutputConstraints;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.Step;
import dev.quill.prompts.TemplateKind;
import dev.quill.prompts.VariableSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Diff between two versions of a template: settings field by field, bodies line by line. Bodies
 * are matched by section ({@code prompt}, {@code message N (role)}, {@code step NAME}); a section
 * only in one version diffs against nothing.
 */
public final class PromptDiff {
    private PromptDiff() {
    }

    public static TemplateDiff between(PromptTemplate from, PromptTemplate to) {
        Map<String, Object> a = fields(from);
        Map<String, Object> b = fields(to);
        Set<String> keys = new LinkedHashSet<>(a.keySet());
        keys.addAll(b.keySet());
        List<FieldChange> fields = new ArrayList<>();
        for (String k : keys) {
            if (!Objects.equals(a.get(k), b.get(k))) {
                fields.add(new FieldChange(k, a.get(k), b.get(k)));
            }
        }
        Map<String, String> sa = sections(from);
        Map<String, String> sb = sections(to);
        Set<String> names = new LinkedHashSet<>(sa.keySet());
        names.addAll(sb.keySet());
        List<SectionDiff> sections = new ArrayList<>();
        for (String n : names) {
            List<DiffHunk> hunks = LineDiff.hunks(sa.getOrDefault(n, ""), sb.getOrDefault(n, ""));
            if (!hunks.isEmpty()) {
                sections.add(new SectionDiff(n, hunks));
            }
        }
        return new TemplateDiff(ContentHash.of(from), ContentHash.of(to), fields, sections);
    }

    static Map<String, String> sections(PromptTemplate t) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Step s : t.steps()) {
            out.put("step " + s.name(), s.body());
        }
        if (t.kind() == TemplateKind.TEXT) {
            if (!t.body().isEmpty()) {
                out.put("prompt", t.body());
            }
        } else {
            for (int i = 0; i < t.messages().size(); i++) {
                MessageTemplate m = t.messages().get(i);
                out.put("message " + (i + 1) + " (" + m.role().id() + ")", m.body());
            }
        }
        return out;
    }

    /** Every setting as a dotted path; absent and empty values are left out so they compare as equal. */
    static Map<String, Object> fields(PromptTemplate t) {
        Map<String, Object> f = new LinkedHashMap<>();
        put(f, "name", t.name());
        put(f, "description", t.description());
        put(f, "kind", t.kind().id());
        put(f, "tags", t.tags());
        put(f, "task", t.taskType() == null ? null : t.taskType().id());
        put(f, "persona", t.persona());
        put(f, "variables", t.variables().stream().map(VariableSpec::name).toList());
        for (VariableSpec v : t.variables()) {
            String p = "variables." + v.name() + ".";
            put(f, p + "description", v.description());
            put(f, p + "required", v.required());
            put(f, p + "default", v.defaultValue());
            put(f, p + "example", v.example());
        }
        ModelDefaults d = t.defaults();
        put(f, "defaults.temperature", d.temperature());
        put(f, "defaults.top_p", d.topP());
        put(f, "defaults.top_k", d.topK());
        put(f, "defaults.min_p", d.minP());
        put(f, "defaults.max_tokens", d.maxTokens());
        put(f, "defaults.stop", d.stop());
        put(f, "defaults.seed", d.seed());
        put(f, "defaults.repeat_penalty", d.repeatPenalty());
        put(f, "defaults.presence_penalty", d.presencePenalty());
        put(f, "defaults.frequency_penalty", d.frequencyPenalty());
        OutputConstraints c = t.constraints();
        put(f, "constraints.max_words", c.maxWords());
        put(f, "constraints.max_sentences", c.maxSentences());
        put(f, "constraints.max_tokens", c.maxTokens());
        put(f, "constraints.allowed_answers", c.allowedAnswers());
        put(f, "constraints.format", c.format() == null ? null : c.format().id());
        put(f, "constraints.stop", c.stop());
        for (int i = 0; i < t.examples().size(); i++) {
            FewShotExample e = t.examples().get(i);
            put(f, "examples[" + i + "].input", e.input());
            put(f, "examples[" + i + "].output", e.output());
            put(f, "examples[" + i + "].rationale", e.rationale());
        }
        if (t.cot() != null) {
            put(f, "cot.mode", t.cot().mode().id());
            put(f, "cot.trigger", t.cot().trigger());
            put(f, "cot.answer", t.cot().answerFormat() == null ? null : t.cot().answerFormat().id());
        }
        put(f, "steps", t.steps().stream().map(Step::name).toList());
        return f;
    }

    private static void put(Map<String, Object> f, String key, Object value) {
        if (value == null || (value instanceof String s && s.isEmpty()) || (value instanceof List<?> l && l.isEmpty())) {
            return;
        }
        f.put(key, value);
    }
}
