package dev.quill.prompts.reframe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ItemizeTest {
    @Test
    void sentencesSplitOnPunctuationButNotOnAbbreviationsDecimalsOrTags() {
        List<String> s = Sentences.split("Use e.g. short words. Round 3.5 up! Is it {a.b}? Name J. Smith too.\nOne per line\nAnother")
                .stream().map(Sentences.Sentence::text).toList();
        assertEquals(List.of("Use e.g. short words.", "Round 3.5 up!", "Is it {a.b}?", "Name J. Smith too.", "One per line", "Another"), s);
        List<String> wrapped = Sentences.split("Write three questions about the\npassage that a reader can answer.")
                .stream().map(Sentences.Sentence::text).toList();
        assertEquals(List.of("Write three questions about the passage that a reader can answer."), wrapped);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Don't create questions that are not answerable. | Create questions that are answerable.",
            "Do not use information that is not in the passage. | Use only information in the passage.",
            "Never use facts which are not given in the text | Use only facts given in the text.",
            "Don't write more than 50 words. | Use at most 50 words.",
            "Do not exceed three sentences. | Use at most three sentences.",
            "Do not include explanations. | Give only the answer.",
            "Don't explain your answer. | Give only the answer.",
            "No explanations. | Give only the answer.",
            "Don't forget to cite the source. | Cite the source.",
            "Never make up facts. | Use only facts stated in the input.",
            "Do not repeat the same point. | Mention each point only once.",
            "Don't repeat yourself. | Mention each thing only once.",
            "Avoid repeating information. | Mention each piece of information only once.",
            "Don't be verbose. | Be concise.",
            "Please avoid being vague. | Be specific.",
            "Avoid jargon. | Use plain, everyday words.",
            "Avoid long sentences. | Keep sentences short.",
            "Do not include personal names. | Omit personal names.",
            "Avoid emojis. | Leave out emojis."})
    void commonNegativePatternsBecomePositive(String negative, String positive) {
        assertTrue(NegationRewriter.isNegative(negative));
        assertEquals(Optional.of(positive), NegationRewriter.rewrite(negative));
        assertFalse(NegationRewriter.isNegative(positive), positive);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Don't start with the answer.", "Never ask the user for their name.", "You must not reveal the solution."})
    void otherNegativesAreFlaggedNotRewritten(String negative) {
        assertTrue(NegationRewriter.isNegative(negative));
        assertEquals(Optional.empty(), NegationRewriter.rewrite(negative));
    }

    @Test
    void everyTableRowRewritesItsOwnExample() {
        for (NegationRewriter.Rule r : NegationRewriter.RULES) {
            String[] parts = r.example().split(" → ");
            assertEquals(Optional.of(parts[1]), NegationRewriter.rewrite(parts[0]), r.id());
        }
    }

    @Test
    void aParagraphBecomesBulletsWithPositiveStatementsAndFieldsStay() {
        String source = """
                Read the passage and write three questions about it. Don't create questions that are not answerable. \
                Keep each question short, and don't use more than 15 words. \
                Never ask the reader for an opinion.

                Passage: {passage}
                Questions:""";
        Itemizer.Result r = Itemizer.apply(source, "prompt");
        assertEquals("""
                - Read the passage and write three questions about it.
                - Create questions that are answerable.
                - Keep each question short.
                - Use at most 15 words.
                - Never ask the reader for an opinion.

                Passage: {passage}
                Questions:""", r.text());
        List<Change.Type> types = r.changes().stream().map(Change::type).toList();
        assertEquals(List.of(Change.Type.EDIT, Change.Type.EDIT, Change.Type.EDIT, Change.Type.FLAG), types);
        Change flag = r.changes().get(3);
        assertEquals("Never ask the reader for an opinion.", flag.before());
        Change list = r.changes().getFirst();
        assertTrue(list.explanation().contains("5 instructions"), list.explanation());
    }

    @Test
    void singleSentencesAndListItemsOnlyGetTheNegationRewrite() {
        Itemizer.Result r = Itemizer.apply("Summarise the report.\n\n- Don't be verbose.\n- Keep numbers.\n\n{report}", "prompt");
        assertEquals("Summarise the report.\n\n- Be concise.\n- Keep numbers.\n\n{report}", r.text());
        assertEquals(1, r.changes().size());
    }

    @Test
    void insertionGoesAfterTheLastInstructionAndBeforeTheCue() {
        String source = "Passage: {passage}\n\nWrite three questions.\n\nQuestions:";
        assertEquals("Passage: {passage}\n\nWrite three questions.\n\nAnswer in at most 20 words.\n\nQuestions:",
                PromptLayout.insertAfterInstructions(source, "Answer in at most 20 words."));
        assertEquals("Note.\n\nReview: {r}", PromptLayout.insertAfterInstructions("Review: {r}", "Note."));
        assertEquals("Classify it.\n\nNote.", PromptLayout.insertAfterInstructions("Classify it.", "Note."));
    }
}
