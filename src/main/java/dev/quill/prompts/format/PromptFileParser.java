package dev.quill.prompts.format;

import dev.quill.prompts.AnswerFormat;
import dev.quill.prompts.CotMode;
import dev.quill.prompts.CotSpec;
import dev.quill.prompts.FewShotExample;
import dev.quill.prompts.MessageTemplate;
import dev.quill.prompts.ModelDefaults;
import dev.quill.prompts.OutputConstraints;
import dev.quill.prompts.Persona;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.Role;
import dev.quill.prompts.Step;
import dev.quill.prompts.TaskType;
import dev.quill.prompts.TemplateKind;
import dev.quill.prompts.VariableSpec;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads prompt and persona files: Markdown with a YAML front matter block. The format is
 * described in {@code prompts/README.md}; {@link PromptFileWriter} writes it.
 *
 * <p>Errors are {@link PromptFormatException}s whose message starts with {@code file:line:}.
 */
public final class PromptFileParser {
    static final Set<String> TEMPLATE_KEYS = Set.of("name", "description", "tags", "kind", "task", "persona",
            "variables", "defaults", "constraints", "examples", "cot");
    static final Set<String> PERSONA_KEYS = Set.of("name", "description", "tags");
    static final Set<String> VARIABLE_KEYS = Set.of("name", "description", "required", "default", "example");
    static final Set<String> DEFAULTS_KEYS = Set.of("temperature", "top_p", "top_k", "min_p", "max_tokens", "stop", "seed",
            "repeat_penalty", "presence_penalty", "frequency_penalty");
    static final Set<String> CONSTRAINT_KEYS = Set.of("max_words", "max_sentences", "max_tokens", "allowed_answers", "format", "stop");
    static final Set<String> EXAMPLE_KEYS = Set.of("input", "output", "rationale");
    static final Set<String> COT_KEYS = Set.of("mode", "trigger", "answer");

    /** Largest file accepted, so a stray huge file fails clearly instead of exhausting memory. */
    public static final int MAX_FILE_BYTES = 1_000_000;

    /** {@code ## system}, {@code ## user}, {@code ## assistant}, {@code ## prompt}, {@code ## step: name}. */
    static final Pattern SECTION = Pattern.compile("## (system|user|assistant|prompt|step: ([A-Za-z_][A-Za-z0-9_]*))[ \\t]*");
    /** Anything that a user probably meant as a section heading but did not write exactly. */
    static final Pattern ALMOST_SECTION = Pattern.compile("(?i)##\\s*(system|user|assistant|prompt|step\\s*:.*)\\s*");

    // SnakeYAML instances are not thread-safe, so each parse makes its own; parsers can be shared.

    public PromptTemplate parseTemplate(Path file) throws IOException {
        return parseTemplate(file.toString(), read(file));
    }

    public Persona parsePersona(Path file) throws IOException {
        return parsePersona(file.toString(), read(file));
    }

    /** Reads a file as strict UTF-8, refusing files over {@link #MAX_FILE_BYTES}. */
    static String read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new PromptFormatException(file.toString(), 0, "file is " + size + " bytes; the limit is " + MAX_FILE_BYTES);
        }
        byte[] bytes = Files.readAllBytes(file);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new PromptFormatException(file.toString(), 0, "file is not valid UTF-8");
        }
    }

    public PromptTemplate parseTemplate(String file, String content) {
        Document doc = split(file, content);
        YamlFields f = doc.fields;
        Map<String, Node> m = f.mapping(doc.frontMatter, "the front matter", TEMPLATE_KEYS);
        if (f.isNull(m.get("name"))) {
            throw new PromptFormatException(file, 1, "the front matter needs a name (a slug such as qa/answer-check)");
        }
        PromptTemplate.Builder b = PromptTemplate.builder(f.string(m.get("name"), "name"));
        b.description(f.string(m.get("description"), "description"));
        b.tags(f.strings(m.get("tags"), "tags"));
        if (!f.isNull(m.get("task"))) {
            Node n = m.get("task");
            b.taskType(f.build(n, () -> TaskType.parse(f.string(n, "task"))));
        }
        b.persona(f.string(m.get("persona"), "persona"));
        for (Node v : f.sequence(m.get("variables"), "variables")) {
            b.variable(variable(f, v));
        }
        if (!f.isNull(m.get("defaults"))) {
            b.defaults(defaults(f, m.get("defaults")));
        }
        if (!f.isNull(m.get("constraints"))) {
            b.constraints(constraints(f, m.get("constraints")));
        }
        for (Node e : f.sequence(m.get("examples"), "examples")) {
            Map<String, Node> em = f.mapping(e, "an example", EXAMPLE_KEYS);
            b.example(f.build(e, () -> new FewShotExample(f.string(em.get("input"), "input"),
                    f.string(em.get("output"), "output"), f.string(em.get("rationale"), "rationale"))));
        }
        if (!f.isNull(m.get("cot"))) {
            b.cot(cot(f, m.get("cot")));
        }

        Sections sections = sections(file, doc);
        TemplateKind kind = sections.messages.isEmpty() ? TemplateKind.TEXT : TemplateKind.CHAT;
        if (!f.isNull(m.get("kind"))) {
            Node n = m.get("kind");
            String k = f.string(n, "kind");
            TemplateKind declared = switch (k) {
                case "text" -> TemplateKind.TEXT;
                case "chat" -> TemplateKind.CHAT;
                default -> throw f.error(n, "kind must be text or chat, got '" + k + "'");
            };
            if (declared == TemplateKind.TEXT && !sections.messages.isEmpty()) {
                throw f.error(n, "kind: text, but the file has message sections (## system / ## user / ## assistant); use ## prompt");
            }
            if (declared == TemplateKind.CHAT && sections.prompt != null) {
                throw f.error(n, "kind: chat, but the file has a ## prompt section; use ## system / ## user / ## assistant");
            }
            kind = declared;
        }
        b.kind(kind);
        b.messages(sections.messages);
        b.steps(sections.steps);
        if (sections.prompt != null) {
            b.body(sections.prompt);
        }
        b.kind(kind);
        return f.build(doc.frontMatter, b::build);
    }

    public Persona parsePersona(String file, String content) {
        Document doc = split(file, content);
        YamlFields f = doc.fields;
        Map<String, Node> m = f.mapping(doc.frontMatter, "the front matter", PERSONA_KEYS);
        if (f.isNull(m.get("name"))) {
            throw new PromptFormatException(file, 1, "the front matter needs a name (a slug such as socratic-tutor)");
        }
        String body = String.join("\n", doc.bodyLines);
        return f.build(doc.frontMatter, () -> new Persona(f.string(m.get("name"), "name"),
                f.string(m.get("description"), "description"), f.strings(m.get("tags"), "tags"), body));
    }

    private VariableSpec variable(YamlFields f, Node n) {
        if (f.isNull(n)) {
            throw f.error(n, "a variable entry is empty");
        }
        Map<String, Node> vm = f.mapping(n, "a variable", VARIABLE_KEYS);
        Object dflt = f.value(vm.get("default"), "default");
        // A variable with no default is required unless it says otherwise.
        boolean required = f.bool(vm.get("required"), "required", dflt == null);
        return f.build(n, () -> new VariableSpec(f.string(vm.get("name"), "variable name"),
                f.string(vm.get("description"), "description"), required, dflt, f.value(vm.get("example"), "example")));
    }

    private ModelDefaults defaults(YamlFields f, Node n) {
        Map<String, Node> d = f.mapping(n, "defaults", DEFAULTS_KEYS);
        return f.build(n, () -> new ModelDefaults(
                f.number(d.get("temperature"), "temperature"),
                f.number(d.get("top_p"), "top_p"),
                f.integer(d.get("top_k"), "top_k"),
                f.number(d.get("min_p"), "min_p"),
                f.integer(d.get("max_tokens"), "max_tokens"),
                f.strings(d.get("stop"), "stop"),
                f.longValue(d.get("seed"), "seed"),
                f.number(d.get("repeat_penalty"), "repeat_penalty"),
                f.number(d.get("presence_penalty"), "presence_penalty"),
                f.number(d.get("frequency_penalty"), "frequency_penalty")));
    }

    private OutputConstraints constraints(YamlFields f, Node n) {
        Map<String, Node> c = f.mapping(n, "constraints", CONSTRAINT_KEYS);
        AnswerFormat format = null;
        if (!f.isNull(c.get("format"))) {
            Node fn = c.get("format");
            format = f.build(fn, () -> AnswerFormat.parse(f.string(fn, "format")));
        }
        AnswerFormat fmt = format;
        return f.build(n, () -> new OutputConstraints(
                f.integer(c.get("max_words"), "max_words"),
                f.integer(c.get("max_sentences"), "max_sentences"),
                f.integer(c.get("max_tokens"), "max_tokens"),
                f.strings(c.get("allowed_answers"), "allowed_answers"),
                fmt,
                f.strings(c.get("stop"), "stop")));
    }

    private CotSpec cot(YamlFields f, Node n) {
        Map<String, Node> c = f.mapping(n, "cot", COT_KEYS);
        Node modeNode = c.get("mode");
        if (f.isNull(modeNode)) {
            throw f.error(n, "cot needs a mode: off, zero-shot, two-stage or few-shot");
        }
        CotMode mode = f.build(modeNode, () -> CotMode.parse(f.string(modeNode, "mode")));
        Node an = c.get("answer");
        AnswerFormat answer = f.isNull(an) ? null : f.build(an, () -> AnswerFormat.parse(f.string(an, "answer")));
        return f.build(n, () -> new CotSpec(mode, f.string(c.get("trigger"), "trigger"), answer));
    }

    // ---- document structure ----

    private record Document(Node frontMatter, YamlFields fields, int bodyFirstLine, List<String> bodyLines) {
    }

    private Document split(String file, String content) {
        String text = content.startsWith("\uFEFF") ? content.substring(1) : content;
        text = text.replace("\r\n", "\n").replace('\r', '\n');
        List<String> lines = List.of(text.split("\n", -1));
        if (lines.isEmpty() || !lines.getFirst().strip().equals("---")) {
            throw new PromptFormatException(file, 1, "a prompt file starts with a front matter block: a line '---',"
                    + " YAML lines (name: ..., description: ...), and a closing line '---'");
        }
        int close = -1;
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).strip().equals("---")) {
                close = i;
                break;
            }
        }
        if (close < 0) {
            throw new PromptFormatException(file, 1, "the front matter block opened on line 1 is never closed with a line '---'");
        }
        String yamlText = String.join("\n", lines.subList(1, close));
        // YAML line 1 is file line 2.
        YamlFields fields = new YamlFields(file, 1);
        Node node;
        try {
            node = StrictYaml.compose(StrictYaml.create(), yamlText);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 2;
            throw new PromptFormatException(file, line, "malformed YAML in the front matter: " + e.getProblem());
        } catch (YAMLException e) {
            throw new PromptFormatException(file, 0, "malformed YAML in the front matter: " + e.getMessage());
        }
        if (node == null) {
            throw new PromptFormatException(file, 2, "the front matter is empty; it needs at least a name");
        }
        return new Document(node, fields, close + 2, lines.subList(close + 1, lines.size()));
    }

    private static final class Sections {
        final List<MessageTemplate> messages = new ArrayList<>();
        final List<Step> steps = new ArrayList<>();
        String prompt;
    }

    private Sections sections(String file, Document doc) {
        Sections out = new Sections();
        List<String> lines = doc.bodyLines;
        boolean anyHeading = lines.stream().anyMatch(l -> SECTION.matcher(l).matches());
        if (!anyHeading) {
            for (int i = 0; i < lines.size(); i++) {
                checkNotAlmostHeading(file, doc.bodyFirstLine + i, lines.get(i));
            }
            out.prompt = String.join("\n", lines);
            return out;
        }
        String heading = null;
        int headingLine = 0;
        List<String> content = new ArrayList<>();
        for (int i = 0; i <= lines.size(); i++) {
            String line = i < lines.size() ? lines.get(i) : null;
            Matcher mt = line == null ? null : SECTION.matcher(line);
            if (line == null || mt.matches()) {
                String text = String.join("\n", content);
                if (heading == null) {
                    if (!text.isBlank()) {
                        throw new PromptFormatException(file, doc.bodyFirstLine, "text before the first section heading;"
                                + " put it under ## prompt, ## system, ## user, ## assistant or ## step: name");
                    }
                } else {
                    addSection(file, headingLine, heading, text, out);
                }
                if (line != null) {
                    heading = mt.group(1);
                    headingLine = doc.bodyFirstLine + i;
                    content.clear();
                }
            } else {
                checkNotAlmostHeading(file, doc.bodyFirstLine + i, line);
                content.add(line);
            }
        }
        return out;
    }

    private static void addSection(String file, int line, String heading, String text, Sections out) {
        try {
            if (heading.startsWith("step:")) {
                String name = heading.substring("step:".length()).strip();
                if (out.steps.stream().anyMatch(s -> s.name().equals(name))) {
                    throw new PromptFormatException(file, line, "step '" + name + "' appears twice");
                }
                out.steps.add(new Step(name, text));
            } else if (heading.equals("prompt")) {
                if (out.prompt != null) {
                    throw new PromptFormatException(file, line, "a second ## prompt section; a text template has one body");
                }
                out.prompt = text;
            } else {
                out.messages.add(new MessageTemplate(Role.parse(heading), text));
            }
        } catch (PromptFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new PromptFormatException(file, line, e.getMessage());
        }
    }

    private static void checkNotAlmostHeading(String file, int line, String text) {
        if (ALMOST_SECTION.matcher(text).matches() && !SECTION.matcher(text).matches()) {
            throw new PromptFormatException(file, line, "'" + text.strip() + "' looks like a section heading but is not one;"
                    + " write exactly ## system, ## user, ## assistant, ## prompt or ## step: name");
        }
    }
}
