package dev.quill.prompts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.prompts.cot.ChainOfThought;
import dev.quill.prompts.cot.CotResult;
import dev.quill.prompts.format.LibraryLoader;
import dev.quill.prompts.format.PromptFileParser;
import dev.quill.prompts.format.PromptFileWriter;
import dev.quill.prompts.format.PromptLibrary;
import dev.quill.prompts.lint.LintFinding;
import dev.quill.prompts.lint.PromptLinter;
import dev.quill.prompts.reframe.Change;
import dev.quill.prompts.reframe.ReframeRule;
import dev.quill.prompts.render.PromptRenderer;
import dev.quill.prompts.render.PromptRun;
import dev.quill.prompts.render.RenderOptions;
import dev.quill.prompts.render.RenderedPrompt;
import dev.quill.prompts.render.SandboxedRenderer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loads the real prompts/ folder and exercises every template in it. */
class ShippedLibraryTest {
    private static PromptLibrary library;
    private static PromptRenderer renderer;

    @BeforeAll
    static void load() throws Exception {
        library = new LibraryLoader().load(Path.of("prompts"));
        renderer = new PromptRenderer(new SandboxedRenderer(), library::persona);
    }

    private static Map<String, Object> examples(PromptTemplate t) {
        Map<String, Object> vars = new HashMap<>();
        for (VariableSpec v : t.variables()) {
            if (v.example() != null) {
                vars.put(v.name(), v.example());
            }
        }
        return vars;
    }

    @Test
    void theLibraryIsBigEnough() {
        assertTrue(library.templates().size() >= 12, library.templates().keySet().toString());
        assertTrue(library.personas().size() >= 8, library.personas().keySet().toString());
    }

    @Test
    void everyTemplateRendersWithItsExampleVariablesAsWrittenAndWithEveryRule() {
        for (PromptTemplate t : library.templates().values()) {
            for (RenderOptions o : List.of(RenderOptions.asWritten(), RenderOptions.allRules(), RenderOptions.allRules().withSystemRoleSupported(false))) {
                RenderedPrompt r = renderer.render(t, examples(t), o);
                String text = r.text() != null ? r.text() : r.messages().stream().map(ChatMessage::content).collect(Collectors.joining("\n"));
                assertFalse(text.isBlank(), t.name());
                assertFalse(text.contains("{#") || text.contains("{/"), t.name() + " left a section tag unrendered:\n" + text);
                for (VariableSpec v : t.variables()) {
                    assertFalse(text.contains("{" + v.name() + "}"), t.name() + " left {" + v.name() + "} unrendered:\n" + text);
                }
                assertTrue(r.warnings().stream().noneMatch(w -> w.startsWith("ignored variable")), t.name() + ": " + r.warnings());
            }
        }
    }

    @Test
    void everyFileIsInCanonicalFormOrAtLeastRoundTrips() throws Exception {
        PromptFileWriter writer = new PromptFileWriter();
        PromptFileParser parser = new PromptFileParser();
        for (PromptTemplate t : library.templates().values()) {
            assertEquals(t, parser.parseTemplate(t.name(), writer.write(t)), t.name());
        }
        for (Persona p : library.personas().values()) {
            String file = Files.readString(Path.of("prompts", "personas", p.name() + ".md"));
            assertEquals(file, writer.write(p), p.name() + " is written exactly as it is stored");
        }
    }

    @Test
    void everyBeforeHasAnAfter() {
        Set<String> names = library.templates().keySet();
        List<String> befores = names.stream().filter(n -> n.endsWith("-before")).toList();
        assertEquals(6, befores.size(), befores.toString());
        for (String b : befores) {
            assertTrue(names.contains(b.replace("-before", "-after")), b);
        }
    }

    private static Set<String> lintRules(String name) {
        return PromptLinter.lint(library.template(name).orElseThrow()).stream().map(LintFinding::rule).collect(Collectors.toSet());
    }

    @Test
    void theLinterFindsWhatEachBeforeTemplateIsAboutAndTheAfterFixesIt() {
        assertTrue(lintRules("qa/question-generation-before").containsAll(Set.of("negative-statement", "long-paragraph", "vague-term")));
        assertTrue(lintRules("qa/answer-check-before").contains("no-output-constraint"));
        assertTrue(lintRules("extraction/invoice-fields-before").contains("vague-term"));
        assertTrue(lintRules("summarisation/news-article-before").contains("multiple-tasks"));
        for (String after : library.templates().keySet().stream().filter(n -> n.endsWith("-after")).toList()) {
            Set<String> rules = lintRules(after);
            for (String fixed : List.of("negative-statement", "long-paragraph", "no-output-constraint", "multiple-tasks")) {
                assertFalse(rules.contains(fixed), after + " still has " + fixed + ": " + PromptLinter.lint(library.template(after).orElseThrow()));
            }
        }
    }

    @Test
    void eachRuleChangesItsBeforeTemplate() {
        Map<String, ReframeRule> pairs = Map.of(
                "qa/question-generation-before", ReframeRule.ITEMIZE,
                "qa/answer-check-after", ReframeRule.RESTRAIN,
                "classification/support-ticket-before", ReframeRule.SPECIALIZE,
                "extraction/invoice-fields-after", ReframeRule.PATTERN,
                "summarisation/news-article-after", ReframeRule.DECOMPOSE);
        pairs.forEach((name, rule) -> {
            PromptTemplate t = library.template(name).orElseThrow();
            RenderedPrompt off = renderer.render(t, examples(t), RenderOptions.asWritten());
            RenderedPrompt on = renderer.render(t, examples(t), RenderOptions.of(rule));
            assertFalse(on.changes(rule).isEmpty(), name + " " + rule);
            assertFalse(on.prompt().equals(off.prompt()) && on.settings().equals(off.settings()) && on.steps().isEmpty(), name + " " + rule);
        });
        RenderedPrompt specialized = renderer.render(library.template("classification/support-ticket-before").orElseThrow(),
                Map.of("ticket", "My password reset link does not work."), RenderOptions.of(ReframeRule.SPECIALIZE));
        List<String> removed = specialized.changes().stream().filter(c -> c.type() == Change.Type.REMOVE).map(Change::before).toList();
        assertEquals(List.of("You are a helpful assistant.", "You are given a task below.", "Read the following text carefully.",
                "This is an important task.", "Do your best."), removed);
    }

    @Test
    void answerCheckIsConstrainedToTwoAnswers() {
        PromptTemplate t = library.template("qa/answer-check-after").orElseThrow();
        RenderedPrompt r = renderer.render(t, examples(t), RenderOptions.of(ReframeRule.RESTRAIN));
        assertEquals(List.of("Correct", "Incorrect"), r.settings().allowedAnswers());
        assertEquals(12, r.settings().maxTokens(), "one word: 2 tokens + 10");
    }

    @Test
    void decomposedSummaryRunsTwoCalls() {
        PromptTemplate t = library.template("summarisation/news-article-after").orElseThrow();
        PromptRun run = renderer.run(t, examples(t), RenderOptions.allRules(), (p, s) -> ((Prompt.Text) p).text().endsWith("Facts:")
                ? "Riverton approved a bridge.\nIt costs 42 million dollars." : "Riverton will build a 42 million dollar bridge.");
        assertEquals(2, run.calls().size());
        assertTrue(((Prompt.Text) run.calls().get(1).prompt()).text().contains("Riverton approved a bridge.\nIt costs 42 million dollars."));
        assertEquals("Riverton will build a 42 million dollar bridge.", run.output());
        assertEquals(180, run.rendered().settings().maxTokens(), "three sentences × 60 tokens");
    }

    @Test
    void wordProblemRunsKojimasTwoStagesFromItsCotSetting() {
        PromptTemplate t = library.template("math/word-problem-after").orElseThrow();
        RenderedPrompt r = renderer.render(t, examples(t), RenderOptions.asWritten());
        CotSpec cot = t.cot();
        ChainOfThought.Options options = new ChainOfThought.Options(cot.mode(), cot.trigger(), cot.answerFormat(), t.examples(), null, null);
        CotResult result = new ChainOfThought((p, s) -> ((Prompt.Text) p).text().endsWith("is")
                ? " 4." : " Half of 16 is 8 golf balls. Half of 8 is 4 blue golf balls.").run(r.text(), options);
        assertEquals(Optional.of("4"), result.answer());
        assertEquals("Half of 16 is 8 golf balls. Half of 8 is 4 blue golf balls.", result.reasoning());
    }
}
