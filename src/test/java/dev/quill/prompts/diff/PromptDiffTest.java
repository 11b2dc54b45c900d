package dev.quill.prompts.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.prompts.ModelDefaults;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.Role;
import dev.quill.prompts.VariableSpec;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class PromptDiffTest {
    @Test
    void unifiedHunksWithLineNumbers() {
        String a = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve";
        String b = "one\ntwo\nTHREE\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\nthirteen";
        List<DiffHunk> hunks = LineDiff.hunks(a, b);
        assertEquals("""
                @@ -1,6 +1,6 @@
                 one
                 two
                -three
                +THREE
                 four
                 five
                 six
                @@ -10,3 +10,4 @@
                 ten
                 eleven
                 twelve
                +thirteen
                """, LineDiff.unified(hunks));
        DiffLine changed = hunks.getFirst().lines().get(3);
        assertEquals(new DiffLine('+', 0, 3, "THREE"), changed);
        assertEquals(List.of(), LineDiff.hunks(a, a));
        assertEquals("@@ -0,0 +1,2 @@\n+x\n+y\n", LineDiff.unified(LineDiff.hunks("", "x\ny")));
    }

    @Test
    void scriptIsAMinimalEditOnRandomTexts() {
        Random r = new Random(1);
        for (int trial = 0; trial < 200; trial++) {
            String a = randomLines(r);
            String b = randomLines(r);
            List<DiffLine> script = LineDiff.script(a, b);
            // Replaying the script gives back both texts.
            assertEquals(a, String.join("\n", script.stream().filter(l -> l.op() != '+').map(DiffLine::text).toList()));
            assertEquals(b, String.join("\n", script.stream().filter(l -> l.op() != '-').map(DiffLine::text).toList()));
            long kept = script.stream().filter(l -> l.op() == ' ').count();
            assertEquals(lcsLength(LineDiff.lines(a), LineDiff.lines(b)), kept);
        }
    }

    private static String randomLines(Random r) {
        int n = 1 + r.nextInt(8);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : "\n").append((char) ('a' + r.nextInt(4)));
        }
        return b.toString();
    }

    private static int lcsLength(List<String> a, List<String> b) {
        int[][] t = new int[a.size() + 1][b.size() + 1];
        for (int i = 1; i <= a.size(); i++) {
            for (int j = 1; j <= b.size(); j++) {
                t[i][j] = a.get(i - 1).equals(b.get(j - 1)) ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
            }
        }
        return t[a.size()][b.size()];
    }

    @Test
    void templateDiffListsSettingsAndBodies() {
        PromptTemplate v1 = PromptTemplate.builder("qa/answer-check")
                .variable(VariableSpec.required("answer", "student answer"))
                .defaults(new ModelDefaults(0.7, null, null, null, null, List.of(), null, null, null, null))
                .message(Role.SYSTEM, "You grade answers.")
                .message(Role.USER, "Answer: {answer}\nIs it right?").build();
        PromptTemplate v2 = v1.toBuilder()
                .variables(List.of(VariableSpec.required("answer", "the student's answer"), VariableSpec.optional("rubric", "", "strict")))
                .defaults(new ModelDefaults(0.0, null, null, null, 8, List.of(), null, null, null, null))
                .messages(List.of(v1.messages().getFirst(), new dev.quill.prompts.MessageTemplate(Role.USER, "Answer: {answer}\nIs it correct? Answer Yes or No.")))
                .build();
        TemplateDiff d = PromptDiff.between(v1, v2);
        assertEquals(List.of(
                new FieldChange("variables", List.of("answer"), List.of("answer", "rubric")),
                new FieldChange("variables.answer.description", "student answer", "the student's answer"),
                new FieldChange("defaults.temperature", 0.7, 0.0),
                new FieldChange("variables.rubric.required", null, false),
                new FieldChange("variables.rubric.default", null, "strict"),
                new FieldChange("defaults.max_tokens", null, 8)), d.fields());
        assertEquals(1, d.sections().size());
        assertEquals("message 2 (user)", d.sections().getFirst().section());
        assertEquals("@@ -1,2 +1,2 @@\n Answer: {answer}\n-Is it right?\n+Is it correct? Answer Yes or No.\n",
                LineDiff.unified(d.sections().getFirst().hunks()));
        assertTrue(PromptDiff.between(v1, v1).isEmpty());
    }

    @Test
    void contentHashFollowsContent() {
        PromptTemplate t = PromptTemplate.builder("a").body("Hello {name}").variable(VariableSpec.required("name", "")).build();
        String h = ContentHash.of(t);
        assertTrue(h.matches("sha256:[0-9a-f]{64}"), h);
        assertEquals(h, ContentHash.of(t.toBuilder().build()));
        assertEquals(h, ContentHash.of(PromptTemplate.builder("a").body("\n\nHello {name}  \n").variable(VariableSpec.required("name", "")).build()),
                "normalised bodies hash alike");
        assertNotEquals(h, ContentHash.of(t.toBuilder().body("Hello {name}!").build()));
        assertNotEquals(h, ContentHash.of(t.toBuilder().description("greets").build()));
    }
}
