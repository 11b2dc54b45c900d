package dev.quill.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import org.junit.jupiter.api.Test;

import java.time.Duration;

/**
 * Merging must stay near-linear: one 200,000-byte word has as many symbols, and a quadratic
 * merge loop would take minutes where the queue-based one takes well under a second.
 */
class LongInputTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void bytePairEncodesOneHugeWord() {
        Tokenizer llama3 = SharedTokenizers.conformanceVocab("llama3");
        String word = "xq".repeat(100_000);
        int[] ids = assertTimeoutPreemptively(LIMIT, () -> llama3.encode(word, false, false));
        assertEquals(word, llama3.decode(ids));
    }

    @Test
    void bytePairEncodesLongProse() {
        Tokenizer llama3 = SharedTokenizers.conformanceVocab("llama3");
        String text = "The quick brown fox jumps over the lazy dog, naïvely; 🚀 1234567!\n".repeat(5_000);
        int[] ids = assertTimeoutPreemptively(LIMIT, () -> llama3.encode(text, false, false));
        assertEquals(text, llama3.decode(ids));
    }

    @Test
    void sentencePieceEncodesOneHugeWord() {
        Tokenizer spm = SharedTokenizers.conformanceVocab("llama-spm");
        String word = "xq".repeat(100_000);
        int[] ids = assertTimeoutPreemptively(LIMIT, () -> spm.encode(word, false, false));
        assertEquals(word, spm.detokenize(ids, false, false));
    }
}
