package dev.quill.prompts.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.prompts.AnswerFormat;
import dev.quill.prompts.CotMode;
import dev.quill.prompts.CotSpec;
import dev.quill.prompts.FewShotExample;
import dev.quill.prompts.ModelDefaults;
import dev.quill.prompts.OutputConstraints;
import dev.quill.prompts.Persona;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.Role;
import dev.quill.prompts.TaskType;
import dev.quill.prompts.TemplateKind;
import dev.quill.prompts.VariableSpec;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromptFileFormatTest {
    private final PromptFileParser parser = new PromptFileParser();
    private final PromptFileWriter writer = new PromptFileWriter();

    static PromptTemplate rich() {
        return PromptTemplate.builder("qa/answer-check")
                .description("Check a student's answer against the reference")
                .tags(List.of("qa", "grading", "Yes"))
                .taskType(TaskType.CLASSIFICATION)
                .persona("skeptical-scientist")
                .variable(VariableSpec.required("question", "The question").withExample("What is 2 + 2?"))
                .variable(new VariableSpec("answer", "Student answer", true, null, "4"))
                .variable(VariableSpec.optional("strictness", "", "lenient"))
                .variable(new VariableSpec("notes", "", false, null, List.of("a", "b: c", "12:30")))
                .variable(VariableSpec.optional("settings", "nested", Map.of("depth", 2)))
                .defaults(new ModelDefaults(0.0, 0.9, 40, null, 16, List.of("\n", "###"), 42L, null, null, null))
                .constraints(new OutputConstraints(20, 1, null, List.of("Yes", "No"), AnswerFormat.YES_NO, List.of("\n\n")))
                .example(new FewShotExample("Q: 2+2?\nA: 4", "Yes", "2+2 is 4,\nso the answer matches."))
                .example(new FewShotExample("on", "No"))
                .cot(new CotSpec(CotMode.TWO_STAGE, "Let's think step by step.", AnswerFormat.YES_NO))
                .message(Role.SYSTEM, "You grade answers.\n\n- Be strict.")
                .message(Role.USER, "Question: {question}\nAnswer: {answer}\n\n## Notes\n{#for n in notes}- {n}\n{/for}")
                .message(Role.ASSISTANT, "Verdict:")
                .step("facts", "List the facts in {question}.")
                .build();
    }

    @Test
    void writeThenParseGivesTheSameTemplate() {
        PromptTemplate t = rich();
        String file = writer.write(t);
        PromptTemplate back = parser.parseTemplate("x.md", file);
        assertEquals(t, back, file);
        // Canonical: writing again gives the same bytes.
        assertEquals(file, writer.write(back));
    }

    @Test
    void textTemplatesAndStepOnlyChatTemplatesRoundTrip() {
        PromptTemplate text = PromptTemplate.builder("sum/a").body("  indented first line\nSummarise {text}.").build();
        assertEquals(text, parser.parseTemplate("a.md", writer.write(text)));
        PromptTemplate stepsOnly = PromptTemplate.builder("sum/b").kind(TemplateKind.CHAT).step("one", "Do {x}.").step("two", "Then {one}.").build();
        String file = writer.write(stepsOnly);
        assertTrue(file.contains("kind: chat"), file);
        assertEquals(stepsOnly, parser.parseTemplate("b.md", file));
    }

    @Test
    void theWrittenFileIsReadable() {
        String file = writer.write(rich());
        assertTrue(file.startsWith("---\nname: qa/answer-check\ndescription: Check a student's answer against the reference\n"), file);
        assertTrue(file.contains("tags: [qa, grading, 'Yes']") || file.contains("tags: [qa, grading, Yes]"), file);
        assertTrue(file.contains("  allowed_answers: [Yes, No]") || file.contains("  allowed_answers: ['Yes', 'No']"), file);
        assertTrue(file.contains("  - input: |-\n      Q: 2+2?\n      A: 4\n"), file);
        assertTrue(file.contains("## step: facts\n\nList the facts in {question}.\n\n## system\n\nYou grade answers."), file);
        assertTrue(file.endsWith("## assistant\n\nVerdict:\n"), file);
    }

    @Test
    void yesNoAndTimesStayText() {
        PromptTemplate t = parser.parseTemplate("a.md", """
                ---
                name: a
                constraints:
                  allowed_answers: [Yes, No, on, off]
                variables:
                  - name: when
                    default: 12:30
                  - name: code
                    default: 007
                  - name: day
                    default: 2024-01-31
                  - name: n
                    default: 3
                ---
                Answer {when} {code} {day} {n}
                """);
        assertEquals(List.of("Yes", "No", "on", "off"), t.constraints().allowedAnswers());
        assertEquals("12:30", t.variables().get(0).defaultValue());
        assertEquals("007", t.variables().get(1).defaultValue());
        assertEquals("2024-01-31", t.variables().get(2).defaultValue());
        assertEquals(3, t.variables().get(3).defaultValue());
        assertEquals(TemplateKind.TEXT, t.kind());
        assertEquals("Answer {when} {code} {day} {n}", t.body());
        // Variables with a default are optional; those without are required unless they say otherwise.
        assertTrue(!t.variables().get(0).required());
    }

    @Test
    void personaRoundTrips() {
        Persona p = new Persona("socratic-tutor", "Asks questions", List.of("teaching"), "You are a tutor.\n\nAsk one question at a time.");
        String file = writer.write(p);
        assertEquals(p, parser.parsePersona("p.md", file));
        assertEquals("---\nname: socratic-tutor\ndescription: Asks questions\ntags: [teaching]\n---\n\nYou are a tutor.\n\nAsk one question at a time.\n", file);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no front matter | Hello | 1 | starts with a front matter block",
            "unclosed | ---\\nname: a\\nHello | 1 | never closed",
            "bad yaml | ---\\nname: a\\ntags: [a, b\\n---\\nHi | 3 | malformed YAML",
            "unknown key | ---\\nname: a\\ntempreature: 1\\n---\\nHi | 3 | unknown key 'tempreature'",
            "bad name | ---\\nname: QA/Check\\n---\\nHi | 2 | not a valid name",
            "missing name | ---\\ndescription: x\\n---\\nHi | 1 | needs a name",
            "wrong type | ---\\nname: a\\ndefaults:\\n  max_tokens: many\\n---\\nHi | 4 | max_tokens must be a whole number",
            "bad temperature | ---\\nname: a\\ndefaults:\\n  temperature: 7\\n---\\nHi | 4 | must be in [0, 2]",
            "duplicate variable | ---\\nname: a\\nvariables:\\n  - name: x\\n  - name: x\\n---\\nHi | 2 | declared twice",
            "bad variable name | ---\\nname: a\\nvariables:\\n  - name: my-var\\n---\\nHi | 4 | not a valid name",
            "text before section | ---\\nname: a\\n---\\nstray\\n## user\\nHi | 4 | text before the first section",
            "almost heading | ---\\nname: a\\n---\\n## User\\nHi | 4 | looks like a section heading",
            "kind mismatch | ---\\nname: a\\nkind: text\\n---\\n## user\\nHi | 3 | kind: text",
            "duplicate key | ---\\nname: a\\nname: b\\n---\\nHi | 3 | appears twice",
            "custom tag | ---\\nname: !!java.io.File a\\n---\\nHi | 2 | not allowed",
            "bad format | ---\\nname: a\\nconstraints:\\n  format: xml\\n---\\nHi | 4 | unknown answer format",
            "empty body | ---\\nname: a\\n---\\n | 2 | empty body"})
    void malformedFilesFailWithFileAndLine(String label, String content, int line, String message) {
        PromptFormatException e = assertThrows(PromptFormatException.class,
                () -> parser.parseTemplate("prompts/a.md", content.replace("\\n", "\n")));
        assertEquals(line, e.line(), label + ": " + e.getMessage());
        assertTrue(e.getMessage().startsWith("prompts/a.md:" + line + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(message), label + ": " + e.getMessage());
    }

    @Test
    void bodiesThatWouldReadAsHeadingsCannotBeWritten() {
        PromptTemplate t = PromptTemplate.builder("a").body("Intro\n## user\nmore").build();
        assertThrows(dev.quill.prompts.InvalidTemplateException.class, () -> writer.write(t));
    }
}
