package dev.quill.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

/** Special tokens: recognised only in trusted text, and the ids llama.cpp's loader assigns. */
class SpecialTokenTest {
    private static boolean contains(int[] ids, int id) {
        return Arrays.stream(ids).anyMatch(i -> i == id);
    }

    @Test
    void llama3ChatMarkupIsParsedOnlyWhenAsked() {
        Tokenizer llama3 = SharedTokenizers.conformanceVocab("llama3");
        String text = "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>";
        assertArrayEquals(new int[] {128000, 128006, 882, 128007, 271, 13347, 128009}, llama3.encode(text, true, true));

        int[] asUserContent = llama3.encode(text, true, false);
        assertFalse(contains(asUserContent, 128009), "typed <|eot_id|> must not become the EOT token");
        assertFalse(contains(asUserContent, 128006));
        assertEquals(text, llama3.decode(Arrays.copyOfRange(asUserContent, 1, asUserContent.length)));
    }

    @Test
    void llama3SpecialIds() {
        Tokenizer llama3 = SharedTokenizers.conformanceVocab("llama3");
        assertEquals(128000, llama3.bos());
        assertEquals(128009, llama3.eos());
        assertEquals(128009, llama3.eot(), "<|eot_id|> found by its text");
        assertTrue(llama3.addBos());
        assertFalse(llama3.addEos());
        for (int eog : new int[] {128001, 128008, 128009}) { // <|end_of_text|>, <|eom_id|>, <|eot_id|>
            assertTrue(llama3.isEndOfGeneration(eog), llama3.tokenText(eog));
        }
        assertFalse(llama3.isEndOfGeneration(128000));
        assertFalse(llama3.isEndOfGeneration(128006));
        assertEquals(TokenType.CONTROL, llama3.tokenType(128009));
        assertEquals(TokenType.NORMAL, llama3.tokenType(9906));
        assertEquals("<|eot_id|>", llama3.tokenText(128009));
        assertArrayEquals("<|eot_id|>".getBytes(), llama3.tokenBytes(128009));
        assertArrayEquals(new byte[0], llama3.tokenBytes(128009, false));
        assertArrayEquals(" Hello".getBytes(), llama3.tokenBytes(22691), "Ġ maps back to a space");
    }

    @Test
    void sentencePieceEndOfSentenceIsParsedOnlyWhenAsked() {
        Tokenizer spm = SharedTokenizers.conformanceVocab("llama-spm");
        // after a special token the next text gets a space prefix again, as in llama.cpp
        assertArrayEquals(new int[] {1, 6324, 2, 921}, spm.encode("Hi</s>x", true, true));
        int[] typed = spm.encode("Hi</s>x", true, false);
        assertFalse(contains(typed, 2), "typed </s> must not end the sequence");
        assertEquals(" Hi</s>x", spm.decode(Arrays.copyOfRange(typed, 1, typed.length)));
        assertArrayEquals(new int[] {1}, spm.encode("", true, false));
        assertArrayEquals(new int[0], spm.encode("", false, false));
    }

    @Test
    void sentencePieceSpecialIds() {
        Tokenizer spm = SharedTokenizers.conformanceVocab("llama-spm");
        assertEquals(1, spm.bos());
        assertEquals(2, spm.eos());
        assertEquals(Tokenizer.NO_TOKEN, spm.eot());
        assertTrue(spm.isEndOfGeneration(2));
        assertEquals(TokenType.UNKNOWN, spm.tokenType(0));
        assertEquals(TokenType.BYTE, spm.tokenType(13));
        assertEquals("<0x0A>", spm.tokenText(13));
        assertArrayEquals(new byte[] {'\n'}, spm.tokenBytes(13));
        assertArrayEquals(" Hello".getBytes(), spm.tokenBytes(15043), "▁ is a space");
    }

    @Test
    void phi3EndTokensAndStrippingAfterSpecialTokens() {
        Tokenizer phi3 = SharedTokenizers.model("micro-phi3-q4_k_m.gguf");
        assertEquals(32000, phi3.eos());
        assertEquals(32007, phi3.eot(), "<|end|>");
        assertTrue(phi3.isEndOfGeneration(32000));
        assertTrue(phi3.isEndOfGeneration(32007));
        // llama.cpp recognises Phi-3 by name and strips whitespace after its special tokens
        assertArrayEquals(new int[] {1, 32010, 15043, 32007, 32001},
                phi3.encode("<|user|>\nHello<|end|>\n<|assistant|>\n", true, true));
        // </s> is user-defined in this vocabulary; llama.cpp would split on it even in user text, we do not
        assertFalse(contains(phi3.encode("a</s>b", true, false), 2));
        assertTrue(contains(phi3.encode("a</s>b", true, true), 2));
    }

    @Test
    void qwen2EndOfText() {
        Tokenizer qwen2 = SharedTokenizers.model("micro-qwen2-q8_0.gguf");
        assertEquals(50256, qwen2.eos());
        assertEquals(50256, qwen2.eot(), "<|endoftext|>");
        assertTrue(qwen2.isEndOfGeneration(50256));
        assertFalse(qwen2.addBos(), "qwen2 adds no BOS by default");
        assertArrayEquals(new int[] {7454, 50256}, qwen2.encode("Once<|endoftext|>", true, true));
        assertFalse(contains(qwen2.encode("Once<|endoftext|>", true, false), 50256));
    }

    @Test
    void detokenizeFollowsLlamaCppSpaceRules() {
        Tokenizer spm = SharedTokenizers.conformanceVocab("llama-spm");
        int[] withBos = spm.encode("Hello world", true, false);
        assertEquals("Hello world", spm.detokenize(Arrays.copyOfRange(withBos, 1, withBos.length), false, false));
        // a leading BOS takes the place of the stripped token, so llama.cpp keeps the space
        assertEquals(" Hello world", spm.detokenize(withBos, false, false));
        assertEquals(" Hello world", spm.detokenize(withBos, true, false));
        assertEquals("<s> Hello world", spm.detokenize(withBos, false, true));

        Tokenizer gpt2 = SharedTokenizers.conformanceVocab("gpt-2");
        int[] ids = gpt2.encode("Hello , y'all ! How 's it ?", false, false);
        assertEquals("Hello, y'all! How's it?", gpt2.detokenize(ids, false, false), "clean_up_tokenization_spaces");
        assertEquals("Hello , y'all ! How 's it ?", gpt2.decode(ids));
    }
}
