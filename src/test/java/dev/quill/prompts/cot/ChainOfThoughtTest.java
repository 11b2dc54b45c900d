package dev.quill.prompts.cot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.prompts.AnswerFormat;
import dev.quill.prompts.CotMode;
import dev.quill.prompts.FewShotExample;
import dev.quill.prompts.GenerationSettings;
import dev.quill.prompts.Prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChainOfThoughtTest {
    private static final String QUESTION = "A juggler can juggle 16 balls. Half of the balls are golf balls, and half of the golf balls are blue. How many blue golf balls are there?";

    /** Answers with the scripted outputs in order and records what it was asked. */
    private static final class ScriptedModel implements dev.quill.prompts.Generator {
        final List<String> prompts = new ArrayList<>();
        final List<GenerationSettings> settings = new ArrayList<>();
        final List<String> outputs;

        ScriptedModel(String... outputs) {
            this.outputs = List.of(outputs);
        }

        @Override
        public String generate(Prompt prompt, GenerationSettings s) {
            prompts.add(((Prompt.Text) prompt).text());
            settings.add(s);
            return outputs.get(prompts.size() - 1);
        }
    }

    @Test
    void twoStageIsKojimasReasoningThenAnswerExtraction() {
        ScriptedModel model = new ScriptedModel(
                " There are 16 balls in total. Half of the balls are golf balls. That means that there are 8 golf balls. Half of the golf balls are blue. That means that there are 4 blue golf balls.",
                " 4.");
        CotResult r = new ChainOfThought(model).run(QUESTION, ChainOfThought.Options.of(CotMode.TWO_STAGE, AnswerFormat.NUMBER));
        String stage1 = "Q: " + QUESTION + "\nA: Let's think step by step.";
        assertEquals(stage1, model.prompts.get(0));
        assertEquals(stage1 + model.outputs.get(0) + "\nTherefore, the answer (arabic numerals) is", model.prompts.get(1));
        assertEquals(Optional.of("4"), r.answer());
        assertTrue(r.reasoning().startsWith("There are 16 balls"), r.reasoning());
        assertEquals(2, r.calls().size());
        assertEquals(256, model.settings.get(0).maxTokens());
        assertEquals(List.of("\n"), model.settings.get(1).stop());
    }

    @Test
    void zeroShotUsesTheChosenTriggerAndReadsTheAnswerFromTheReasoning() {
        ScriptedModel model = new ScriptedModel(" 16 / 2 = 8 golf balls, 8 / 2 = 4 are blue. So the answer is 4 blue golf balls.");
        String trigger = ZeroShotTriggers.byNumber(3).orElseThrow().text();
        CotResult r = new ChainOfThought(model).run(QUESTION, ChainOfThought.Options.of(CotMode.ZERO_SHOT, AnswerFormat.NUMBER).withTrigger(trigger));
        assertEquals("Q: " + QUESTION + "\nA: Let's think about this logically.", model.prompts.getFirst());
        assertEquals(Optional.of("4"), r.answer());
        assertEquals(1, r.calls().size());
    }

    @Test
    void offAsksForTheAnswerDirectly() {
        ScriptedModel model = new ScriptedModel(" 8");
        CotResult r = new ChainOfThought(model).run("Is 7 prime?", ChainOfThought.Options.of(CotMode.OFF, AnswerFormat.NUMBER));
        assertEquals("Q: Is 7 prime?\nA: The answer (arabic numerals) is", model.prompts.getFirst());
        assertEquals(Optional.of("8"), r.answer());
        assertEquals("", r.reasoning());
    }

    @Test
    void fewShotShowsRationalesAndSplitsReasoningFromAnswer() {
        ScriptedModel model = new ScriptedModel(" 16 balls, half are golf balls: 8. Half of those are blue: 4. The answer is 4.");
        List<FewShotExample> examples = List.of(new FewShotExample("Roger has 5 balls and buys 2 cans of 3. How many balls now?", "11",
                "Roger started with 5 balls. 2 cans of 3 balls each is 6 balls. 5 + 6 = 11."));
        CotResult r = new ChainOfThought(model).run(QUESTION, ChainOfThought.Options.fewShot(AnswerFormat.NUMBER, examples));
        assertEquals("Q: Roger has 5 balls and buys 2 cans of 3. How many balls now?\n"
                + "A: Roger started with 5 balls. 2 cans of 3 balls each is 6 balls. 5 + 6 = 11. The answer is 11.\n\n"
                + "Q: " + QUESTION + "\nA:", model.prompts.getFirst());
        assertEquals("16 balls, half are golf balls: 8. Half of those are blue: 4.", r.reasoning());
        assertEquals(Optional.of("4"), r.answer());
        assertTrue(model.settings.getFirst().stop().contains("\n\nQ:"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "NUMBER | ' 1,234.50 dollars.' | 1234.50",
            "NUMBER | ' -12.' | -12",
            "NUMBER | ' 3 apples and 4 pears' | 3",
            "NUMBER | ' 1,000,000' | 1000000",
            "NUMBER | ' −7 degrees' | -7",
            "NUMBER | ' none' | ",
            "CHOICE | ' (C) 42' | C",
            "CHOICE | ' B.' | B",
            "CHOICE | ' answer D, not E' | D",
            "CHOICE | ' Apples' | ",
            "YES_NO | ' yes, because it is.' | Yes",
            "YES_NO | ' NO.' | No",
            "YES_NO | ' Nobody knows' | ",
            "TEXT | '  Paris.\nIt is the capital.' | Paris",
            "JSON | 'Sure: {\"a\": 1} done' | '{\"a\": 1}'"})
    void answerCleaning(AnswerFormat format, String raw, String expected) {
        assertEquals(Optional.ofNullable(expected), AnswerCleaner.clean(format, raw.replace("\\n", "\n")));
    }

    @Test
    void triggersAreKojimasTable() {
        assertEquals(17, ZeroShotTriggers.KOJIMA_TABLE_4.size());
        assertEquals("Let's think step by step.", ZeroShotTriggers.KOJIMA_TABLE_4.getFirst().text());
        assertEquals(9, ZeroShotTriggers.instructive().size());
        assertEquals("Therefore, among A through E, the answer is", ChainOfThought.answerTrigger(AnswerFormat.CHOICE));
        assertEquals("Therefore, the answer (Yes or No) is", ChainOfThought.answerTrigger(AnswerFormat.YES_NO));
        assertEquals("Therefore, the answer is", ChainOfThought.answerTrigger(AnswerFormat.TEXT));
    }
}
