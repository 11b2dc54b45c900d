package dev.quill.prompts.cot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.quill.prompts.AnswerFormat;
import dev.quill.prompts.CotMode;
import dev.quill.prompts.FewShotExample;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What streams of the reasoning, put together, equals what the finished chain of thought reports. */
class ReasoningStreamTest {
    /** Feeds the output in pieces; returns what was shown while it came, and checks the total after finish. */
    private static String stream(boolean fewShot, List<String> pieces, String reasoning) {
        ReasoningStream s = new ReasoningStream(fewShot);
        StringBuilder shown = new StringBuilder();
        pieces.forEach(p -> shown.append(s.accept(p)));
        String live = shown.toString();
        shown.append(s.finish(reasoning));
        assertEquals(reasoning, shown.toString());
        return live;
    }

    private static String fewShotReasoning(String output) {
        ChainOfThought cot = new ChainOfThought((prompt, settings) -> output);
        return cot.run("q", ChainOfThought.Options.fewShot(AnswerFormat.NUMBER, List.of(new FewShotExample("a", "1", "r"))))
                .reasoning();
    }

    @Test
    void leadingWhitespaceIsDroppedAndTrailingHeldBack() {
        String output = "  Tom had 3.  Then 2 more. \n";
        String reasoning = new ChainOfThought((p, s) -> output).run("q", ChainOfThought.Options.of(CotMode.ZERO_SHOT, AnswerFormat.NUMBER))
                .reasoning();
        String live = stream(false, List.of("  Tom", " had", " 3.", "  Then", " 2 more.", " \n"), reasoning);
        assertEquals("Tom had 3.  Then 2 more.", live);
    }

    @Test
    void fewShotHoldsBackTheAnswerEvenWhenItsPhraseIsSplitAcrossPieces() {
        String output = " 2 and 3 make 5. The ans" + "wer is 5.";
        String live = stream(true, List.of(" 2 and", " 3 make", " 5. The", " ans", "wer is", " 5."), fewShotReasoning(output));
        assertEquals("2 and 3 make 5.", live);
        assertFalse(live.contains("The"));
    }

    @Test
    void aPartialPhraseThatDoesNotBecomeTheAnswerIsReleased() {
        String output = " The cat the dog the answer is 4";
        String live = stream(true, List.of(" The", " cat", " the", " dog", " the answer", " is 4"), fewShotReasoning(output));
        assertEquals("The cat the dog", live);
    }
}
