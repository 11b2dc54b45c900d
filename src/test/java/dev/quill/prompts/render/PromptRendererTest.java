package dev.quill.prompts.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.prompts.AnswerFormat;
import dev.quill.prompts.ChatMessage;
import dev.quill.prompts.FewShotExample;
import dev.quill.prompts.GenerationSettings;
import dev.quill.prompts.MissingVariableException;
import dev.quill.prompts.ModelDefaults;
import dev.quill.prompts.OutputConstraints;
import dev.quill.prompts.Persona;
import dev.quill.prompts.Prompt;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.Role;
import dev.quill.prompts.TaskType;
import dev.quill.prompts.VariableSpec;
import dev.quill.prompts.reframe.Change;
import dev.quill.prompts.reframe.ReframeRule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class PromptRendererTest {
    private static final Persona TUTOR = new Persona("socratic-tutor", "", List.of(), "You are a Socratic tutor.");
    private final PromptRenderer renderer = new PromptRenderer(new SandboxedRenderer(),
            name -> name.equals(TUTOR.name()) ? Optional.of(TUTOR) : Optional.empty());

    private static PromptTemplate questionGeneration() {
        return PromptTemplate.builder("qa/question-generation")
                .variable(VariableSpec.required("passage", "the text"))
                .variable(VariableSpec.optional("count", "how many", 3))
                .taskType(TaskType.GENERATION)
                .constraints(new OutputConstraints(null, null, null, List.of(), AnswerFormat.LIST, List.of()))
                .example(new FewShotExample("The Nile flows north into the Mediterranean Sea.", "Into which sea does the Nile flow?"))
                .body("""
                        Read the following passage carefully. Write {count} questions about the passage. \
                        Don't create questions that are not answerable from the passage.

                        Passage: {passage}
                        Questions:""")
                .build();
    }

    @Test
    void asWrittenRendersTheBodyWithDefaults() {
        RenderedPrompt r = renderer.render(questionGeneration(), Map.of("passage", "Rivers carry water."), RenderOptions.asWritten());
        assertEquals("""
                Read the following passage carefully. Write 3 questions about the passage. \
                Don't create questions that are not answerable from the passage.

                Passage: Rivers carry water.
                Questions:""", r.text());
        assertEquals(List.of(), r.changes());
    }

    @Test
    void allRulesRewriteTheInstructionsButNotTheInputs() {
        // The passage itself has a negative paragraph: it must come through untouched.
        String passage = "Never swim in the Nile. It has crocodiles.";
        RenderedPrompt r = renderer.render(questionGeneration(), Map.of("passage", passage), RenderOptions.allRules());
        assertEquals("""
                - Write 3 questions about the passage.
                - Create questions that are answerable from the passage.
                - Reply with only the requested text, without an introduction or closing remarks.
                - Answer with a list, one item per line.

                Input: The Nile flows north into the Mediterranean Sea.
                Output: Into which sea does the Nile flow?

                Passage: Never swim in the Nile. It has crocodiles.
                Questions:""", r.text());
        List<String> summary = r.changes().stream().map(c -> c.rule().id() + " " + c.type()).toList();
        assertEquals(List.of("specialize REMOVE", "itemize EDIT", "itemize EDIT", "specialize ADD", "restrain ADD", "pattern ADD"), summary);
        assertEquals("Read the following passage carefully.", r.changes().getFirst().before());
        assertTrue(r.warnings().contains("decompose: the template declares no steps (see the linter's multiple-tasks findings)"), r.warnings().toString());
    }

    @Test
    void missingRequiredVariablesAreNamedAndUnknownOnesWarned() {
        PromptTemplate t = PromptTemplate.builder("a")
                .variable(VariableSpec.required("question", ""))
                .variable(VariableSpec.required("answer", ""))
                .variable(new VariableSpec("hint", "", false, null, null))
                .body("{question} {answer}{#if hint} ({hint}){/if}").build();
        MissingVariableException e = assertThrows(MissingVariableException.class,
                () -> renderer.render(t, Map.of("answer", "4"), RenderOptions.asWritten()));
        assertEquals(List.of("question"), e.variables());
        assertEquals("template a needs the variable question, which was not given", e.getMessage());
        RenderedPrompt r = renderer.render(t, Map.of("question", "2+2?", "answer", "4", "tone", "kind"), RenderOptions.asWritten());
        assertEquals("2+2? 4", r.text());
        assertEquals(List.of("ignored variable tone: not declared by a (declared: question, answer, hint)"), r.warnings());
    }

    @Test
    void restrainStatesConstraintsAndSetsEngineLimits() {
        PromptTemplate t = PromptTemplate.builder("qa/answer-check")
                .variable(VariableSpec.required("answer", ""))
                .defaults(new ModelDefaults(0.0, null, null, null, 200, List.of("\n\n"), null, null, null, null))
                .constraints(new OutputConstraints(20, null, null, List.of("Correct", "Incorrect", "{weird}"), null, List.of("###")))
                .body("Is the student's answer correct?\n\nStudent answer: {answer}\nVerdict:").build();
        RenderedPrompt r = renderer.render(t, Map.of("answer", "4"), RenderOptions.of(ReframeRule.RESTRAIN));
        assertEquals("""
                Is the student's answer correct?

                Answer with one of: Correct, Incorrect, {weird}.
                Answer in at most 20 words.

                Student answer: 4
                Verdict:""", r.text());
        GenerationSettings s = r.settings();
        assertEquals(50, s.maxTokens());
        assertEquals(List.of("\n\n", "###"), s.stop());
        assertEquals(List.of("Correct", "Incorrect", "{weird}"), s.allowedAnswers());
        assertEquals(0.0, s.parameters().temperature());
        List<String> settingChanges = r.changes(ReframeRule.RESTRAIN).stream()
                .filter(c -> c.type() == Change.Type.SETTING).map(Change::after).toList();
        assertEquals(List.of("max_tokens: 50", "stop: [\n\n, ###]", "allowed answers: [Correct, Incorrect, {weird}]"), settingChanges);
    }

    private static PromptTemplate summaryInSteps() {
        return PromptTemplate.builder("summarisation/article-steps")
                .variable(VariableSpec.required("article", ""))
                .step("facts", "List the key facts of the article.\n\nArticle: {article}")
                .step("summary", "Write a two-sentence summary from these facts:\n{facts}")
                .body("Write a title for this summary:\n{summary}\n\nTitle:")
                .constraints(new OutputConstraints(8, null, null, List.of(), null, List.of()))
                .build();
    }

    @Test
    void decomposeRunsStepsInOrderFeedingEachOutputToTheNext() {
        List<String> prompts = new ArrayList<>();
        List<Integer> maxTokens = new ArrayList<>();
        PromptRun run = renderer.run(summaryInSteps(), Map.of("article", "Rain fell."),
                RenderOptions.of(ReframeRule.DECOMPOSE, ReframeRule.RESTRAIN), (p, s) -> {
                    prompts.add(((Prompt.Text) p).text());
                    maxTokens.add(s.maxTokens());
                    return switch (prompts.size()) {
                        case 1 -> " - It rained. ";
                        case 2 -> "It rained all day.";
                        default -> "Rainy Day";
                    };
                });
        assertEquals(List.of(
                "List the key facts of the article.\n\nArticle: Rain fell.",
                "Write a two-sentence summary from these facts:\n- It rained.",
                "Write a title for this summary:\nIt rained all day.\n\nAnswer in at most 8 words.\n\nTitle:"), prompts);
        // Steps use the template's defaults; only the answering call is restrained.
        assertEquals(java.util.Arrays.asList(null, null, 26), maxTokens);
        assertEquals(List.of("facts", "summary", "final"), run.calls().stream().map(StepResult::name).toList());
        assertEquals("Rainy Day", run.output());
    }

    @Test
    void previewShowsEveryStepWithPlaceholdersAndUndecomposedIsOnePrompt() {
        RenderedPrompt preview = renderer.render(summaryInSteps(), Map.of("article", "Rain fell."), RenderOptions.of(ReframeRule.DECOMPOSE));
        assertEquals(List.of("facts", "summary", "final"), preview.steps().stream().map(RenderedStep::name).toList());
        assertEquals("Write a two-sentence summary from these facts:\n[output of step facts]",
                ((Prompt.Text) preview.steps().get(1).prompt()).text());

        RenderedPrompt single = renderer.render(summaryInSteps(), Map.of("article", "Rain fell."), RenderOptions.asWritten());
        assertEquals("""
                Step 1:
                List the key facts of the article.

                Article: Rain fell.

                Step 2:
                Write a two-sentence summary from these facts:
                (your answer to step 1)

                Write a title for this summary:
                (your answer to step 2)

                Title:""", single.text());
        assertEquals(List.of(), single.steps());
    }

    @Test
    void personaBecomesTheSystemMessageOrMergesIntoTheFirstUserTurn() {
        PromptTemplate t = PromptTemplate.builder("chat/tutor").persona("socratic-tutor")
                .variable(VariableSpec.required("topic", ""))
                .message(Role.SYSTEM, "Stay on {topic}.")
                .message(Role.USER, "Teach me about {topic}.").build();
        RenderedPrompt withSystem = renderer.render(t, Map.of("topic", "fractions"), RenderOptions.asWritten());
        assertEquals(List.of(ChatMessage.system("You are a Socratic tutor.\n\nStay on fractions."),
                ChatMessage.user("Teach me about fractions.")), withSystem.messages());
        RenderedPrompt merged = renderer.render(t, Map.of("topic", "fractions"), RenderOptions.asWritten().withSystemRoleSupported(false));
        assertEquals(List.of(ChatMessage.user("You are a Socratic tutor.\n\nStay on fractions.\n\nTeach me about fractions.")), merged.messages());
    }

    @Test
    void unknownPersonaIsAClearError() {
        PromptTemplate t = PromptTemplate.builder("a").persona("nobody").body("Hi").build();
        var e = assertThrows(dev.quill.prompts.InvalidTemplateException.class, () -> renderer.render(t, Map.of(), RenderOptions.asWritten()));
        assertTrue(e.getMessage().contains("persona nobody, which is not in the library"), e.getMessage());
    }
}
