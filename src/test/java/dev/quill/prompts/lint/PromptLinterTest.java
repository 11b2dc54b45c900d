package dev.quill.prompts.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.prompts.OutputConstraints;
import dev.quill.prompts.PromptTemplate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs the fixture cases in {@code lint/cases.txt}: each prompt must give exactly the expected findings. */
class PromptLinterTest {
    record Expected(String rule, int start, int end, String suggestion) {
    }

    record Case(String name, String prompt, List<Expected> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Pattern LINE = Pattern.compile("([a-z-]+) (?:@end|\"((?:[^\"\\\\]|\\\\.)*)\")(?: => \"((?:[^\"\\\\]|\\\\.)*)\")?");

    static Stream<Case> cases() throws IOException {
        String all;
        try (InputStream in = PromptLinterTest.class.getResourceAsStream("/dev/quill/prompts/lint/cases.txt")) {
            all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Case> out = new ArrayList<>();
        for (String block : all.split("\n=== ")) {
            if (block.startsWith("#")) {
                continue;
            }
            String name = block.substring(0, block.indexOf('\n'));
            String rest = block.substring(block.indexOf('\n') + 1);
            int sep = rest.indexOf("--- expect");
            String prompt = rest.substring(0, sep).stripTrailing();
            List<Expected> expected = new ArrayList<>();
            for (String line : rest.substring(sep + "--- expect".length()).strip().split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                Matcher m = LINE.matcher(line.strip());
                if (!m.matches()) {
                    throw new IllegalStateException("bad expectation in case " + name + ": " + line);
                }
                String excerpt = m.group(2) == null ? null : unescape(m.group(2));
                int start = excerpt == null ? prompt.length() : prompt.indexOf(excerpt);
                if (start < 0) {
                    throw new IllegalStateException("case " + name + ": excerpt not in prompt: " + excerpt);
                }
                int end = excerpt == null ? start : start + excerpt.length();
                expected.add(new Expected(m.group(1), start, end, m.group(3) == null ? null : unescape(m.group(3))));
            }
            out.add(new Case(name, prompt, expected));
        }
        return out.stream();
    }

    private static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\\"", "\"");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fixture(Case c) {
        List<LintFinding> findings = PromptLinter.lint(c.prompt());
        Comparator<Expected> order = Comparator.comparingInt(Expected::start).thenComparing(Expected::rule);
        List<Expected> actual = findings.stream().map(f -> new Expected(f.rule(), f.start(), f.end(), f.suggestion())).sorted(order).toList();
        List<Expected> expected = c.expected().stream().sorted(order).toList();
        assertEquals(expected.size(), actual.size(), c.name() + ": " + findings);
        for (int i = 0; i < expected.size(); i++) {
            Expected e = expected.get(i);
            Expected a = actual.get(i);
            assertEquals(e.rule(), a.rule(), c.name());
            assertEquals(e.start(), a.start(), c.name() + " " + e.rule() + " start");
            assertEquals(e.end(), a.end(), c.name() + " " + e.rule() + " end");
            if (e.suggestion() != null) {
                assertEquals(e.suggestion(), a.suggestion(), c.name() + " " + e.rule() + " suggestion");
            }
        }
        for (LintFinding f : findings) {
            assertEquals(c.prompt().substring(f.start(), f.end()), f.excerpt());
        }
    }

    @Test
    void declaredConstraintsCountAsOutputConstraints() {
        PromptTemplate bare = PromptTemplate.builder("a").body("Summarise the text.\n\nText: {text}").build();
        assertTrue(PromptLinter.lint(bare).stream().anyMatch(f -> f.rule().equals("no-output-constraint")));
        PromptTemplate constrained = bare.toBuilder().constraints(new OutputConstraints(30, null, null, List.of(), null, List.of())).build();
        assertTrue(PromptLinter.lint(constrained).stream().noneMatch(f -> f.rule().equals("no-output-constraint")));
    }
}
