package dev.quill.prompts.format;

import dev.quill.prompts.CotSpec;
import dev.quill.prompts.FewShotExample;
import dev.quill.prompts.InvalidTemplateException;
import dev.quill.prompts.MessageTemplate;
import dev.quill.prompts.ModelDefaults;
import dev.quill.prompts.OutputConstraints;
import dev.quill.prompts.Persona;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.Step;
import dev.quill.prompts.TemplateKind;
import dev.quill.prompts.VariableSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes templates and personas in the file format {@link PromptFileParser} reads, so that
 * {@code parse(write(t))} equals {@code t}. The output is canonical (fixed key order, empty fields
 * left out), which also makes it the serialisation that content hashes are taken of.
 */
public final class PromptFileWriter {
    // SnakeYAML instances are not thread-safe, so each write makes its own; writers can be shared.

    public String write(PromptTemplate t) {
        Map<String, Object> fm = new LinkedHashMap<>();
        fm.put("name", t.name());
        putText(fm, "description", t.description());
        // Only when the sections alone would say otherwise: a chat template made of steps only.
        if (t.kind() == TemplateKind.CHAT && t.messages().isEmpty()) {
            fm.put("kind", "chat");
        }
        putList(fm, "tags", t.tags());
        if (t.taskType() != null) {
            fm.put("task", t.taskType().id());
        }
        if (t.persona() != null) {
            fm.put("persona", t.persona());
        }
        if (!t.variables().isEmpty()) {
            List<Object> vars = new ArrayList<>();
            for (VariableSpec v : t.variables()) {
                Map<String, Object> vm = new LinkedHashMap<>();
                vm.put("name", v.name());
                putText(vm, "description", v.description());
                if (v.required() != (v.defaultValue() == null)) {
                    vm.put("required", v.required());
                }
                putValue(vm, "default", v.defaultValue());
                putValue(vm, "example", v.example());
                vars.add(vm);
            }
            fm.put("variables", vars);
        }
        if (!t.defaults().isEmpty()) {
            fm.put("defaults", defaults(t.defaults()));
        }
        if (!t.constraints().isEmpty()) {
            fm.put("constraints", constraints(t.constraints()));
        }
        if (!t.examples().isEmpty()) {
            List<Object> ex = new ArrayList<>();
            for (FewShotExample e : t.examples()) {
                Map<String, Object> em = new LinkedHashMap<>();
                em.put("input", e.input());
                em.put("output", e.output());
                putText(em, "rationale", e.rationale());
                ex.add(em);
            }
            fm.put("examples", ex);
        }
        if (t.cot() != null) {
            CotSpec c = t.cot();
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("mode", c.mode().id());
            putText(cm, "trigger", c.trigger());
            if (c.answerFormat() != null) {
                cm.put("answer", c.answerFormat().id());
            }
            fm.put("cot", cm);
        }

        List<String> sections = new ArrayList<>();
        for (Step s : t.steps()) {
            sections.add(section("step: " + s.name(), s.body(), t.name()));
        }
        if (t.kind() == TemplateKind.TEXT) {
            if (!t.body().isEmpty()) {
                sections.add(section("prompt", t.body(), t.name()));
            }
        } else {
            for (MessageTemplate m : t.messages()) {
                sections.add(section(m.role().id(), m.body(), t.name()));
            }
        }
        return "---\n" + StrictYaml.create().dump(fm) + "---\n\n" + String.join("\n\n", sections) + "\n";
    }

    public String write(Persona p) {
        Map<String, Object> fm = new LinkedHashMap<>();
        fm.put("name", p.name());
        putText(fm, "description", p.description());
        putList(fm, "tags", p.tags());
        checkBody(p.name(), p.systemPrompt());
        return "---\n" + StrictYaml.create().dump(fm) + "---\n\n" + p.systemPrompt() + "\n";
    }

    private static Map<String, Object> defaults(ModelDefaults d) {
        Map<String, Object> m = new LinkedHashMap<>();
        putValue(m, "temperature", d.temperature());
        putValue(m, "top_p", d.topP());
        putValue(m, "top_k", d.topK());
        putValue(m, "min_p", d.minP());
        putValue(m, "max_tokens", d.maxTokens());
        putList(m, "stop", d.stop());
        putValue(m, "seed", d.seed());
        putValue(m, "repeat_penalty", d.repeatPenalty());
        putValue(m, "presence_penalty", d.presencePenalty());
        putValue(m, "frequency_penalty", d.frequencyPenalty());
        return m;
    }

    private static Map<String, Object> constraints(OutputConstraints c) {
        Map<String, Object> m = new LinkedHashMap<>();
        putValue(m, "max_words", c.maxWords());
        putValue(m, "max_sentences", c.maxSentences());
        putValue(m, "max_tokens", c.maxTokens());
        putList(m, "allowed_answers", c.allowedAnswers());
        if (c.format() != null) {
            m.put("format", c.format().id());
        }
        putList(m, "stop", c.stop());
        return m;
    }

    private static String section(String heading, String body, String templateName) {
        checkBody(templateName, body);
        return "## " + heading + "\n\n" + body;
    }

    /** A body line the parser would read as a section heading cannot be stored. */
    private static void checkBody(String name, String body) {
        String[] lines = body.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (PromptFileParser.SECTION.matcher(lines[i]).matches() || PromptFileParser.ALMOST_SECTION.matcher(lines[i]).matches()) {
                throw new InvalidTemplateException("body", name + ": body line " + (i + 1) + " ('" + lines[i].strip()
                        + "') would read as a section heading in the file format; reword it");
            }
        }
    }

    private static void putText(Map<String, Object> m, String key, String value) {
        if (value != null && !value.isEmpty()) {
            m.put(key, value);
        }
    }

    private static void putList(Map<String, Object> m, String key, List<String> values) {
        if (!values.isEmpty()) {
            m.put(key, flowIfSimple(values));
        }
    }

    private static void putValue(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, readable(value));
        }
    }

    /** Short lists of one-line scalars read best as {@code [a, b]}; anything else in block style. */
    private static Object readable(Object value) {
        if (value instanceof List<?> l) {
            return flowIfSimple(l);
        }
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, readable(v)));
            return out;
        }
        return value;
    }

    private static Object flowIfSimple(List<?> l) {
        boolean simple = l.size() <= 12 && l.stream().allMatch(o -> o instanceof Number || o instanceof Boolean
                || (o instanceof String s && (s.indexOf('\n') < 0 || s.isBlank()) && s.length() <= 60));
        if (simple) {
            return new StrictYaml.FlowList(l);
        }
        List<Object> out = new ArrayList<>();
        for (Object o : l) {
            out.add(readable(o));
        }
        return out;
    }
}
