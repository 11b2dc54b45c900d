package dev.quill.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** Text must come out only in whole characters, however the tokens cut through them. */
class StreamingDetokenizerTest {
    private static List<String> feed(StreamingDetokenizer stream, int... ids) {
        List<String> outputs = new ArrayList<>();
        for (int id : ids) {
            outputs.add(stream.accept(id));
        }
        return outputs;
    }

    @Test
    void rocketSplitOverFourByteTokensComesOutOnce() {
        Tokenizer spm = SharedTokenizers.model("stories260K.gguf");
        // stories260K has no token for 🚀: <0xF0> <0x9F> <0x9A> <0x80>
        int[] rocket = {243, 162, 157, 131};
        for (int i = 0; i < rocket.length; i++) {
            assertEquals(TokenType.BYTE, spm.tokenType(rocket[i]));
        }
        StreamingDetokenizer stream = new StreamingDetokenizer(spm);
        assertEquals(List.of("", "", "", "🚀"), feed(stream, rocket));
        assertEquals("", stream.flush());
    }

    @Test
    void accentsAndEmojiStreamAsWholeCharacters() {
        Tokenizer spm = SharedTokenizers.model("stories260K.gguf");
        String text = "Café naïve résumé — “quotes” and emoji 🚀 in 2026!";
        int[] ids = spm.encode(text, false, false);
        StreamingDetokenizer stream = new StreamingDetokenizer(spm, false, true);
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            String piece = stream.accept(id);
            assertFalse(piece.contains("\uFFFD"), "no replacement character mid-stream");
            assertFalse(!piece.isEmpty() && Character.isLowSurrogate(piece.charAt(0)), "no split surrogate pair");
            out.append(piece);
        }
        out.append(stream.flush());
        // the first token's space is the one SentencePiece prefixed, stripped as llama.cpp does
        assertEquals(text, out.toString());
    }

    @Test
    void byteLevelTokenEndingInsideACharacterIsHeldBack() {
        Tokenizer qwen2 = SharedTokenizers.model("micro-qwen2-q8_0.gguf");
        int[] ids = qwen2.encode(" 🚀", false, false);
        assertArrayEquals(new int[] {12520, 248, 222}, ids, "the space and the emoji's four bytes span three tokens");
        StreamingDetokenizer stream = new StreamingDetokenizer(qwen2);
        // the space is complete at once; the emoji waits for its last byte
        assertEquals(List.of(" ", "", "🚀"), feed(stream, ids));
    }

    @Test
    void controlTokensAreSilentUnlessRendered() {
        Tokenizer llama3 = SharedTokenizers.conformanceVocab("llama3");
        assertEquals(List.of("", "Hello", ""), feed(new StreamingDetokenizer(llama3), 128000, 9906, 128009));
        assertEquals(List.of("<|begin_of_text|>", "Hello", "<|eot_id|>"),
                feed(new StreamingDetokenizer(llama3, true, false), 128000, 9906, 128009));
    }

    @Test
    void bytesThatCanNeverBeValidAreReplacedAtOnce() {
        Tokenizer spm = SharedTokenizers.conformanceVocab("llama-spm");
        int byteFF = 3 + 0xFF; // <0xFF> never occurs in UTF-8
        int byteE2 = 3 + 0xE2; // starts a 3-byte sequence that 'x' breaks off
        int x = spm.encode("x", false, false)[0];
        StreamingDetokenizer stream = new StreamingDetokenizer(spm);
        assertEquals(List.of("\uFFFD", "", "\uFFFD x"), feed(stream, byteFF, byteE2, x));
    }

    @Test
    void flushReplacesAnUnfinishedCharacterAndResets() {
        Tokenizer spm = SharedTokenizers.conformanceVocab("llama-spm");
        StreamingDetokenizer stream = new StreamingDetokenizer(spm);
        assertEquals(List.of("", ""), feed(stream, 3 + 0xF0, 3 + 0x9F));
        assertEquals("\uFFFD", stream.flush());
        assertEquals(" Hello", stream.accept(15043));
    }

    @Test
    void longOutputGrowsTheBuffers() {
        Tokenizer spm = SharedTokenizers.conformanceVocab("llama-spm");
        String text = "naïve ".repeat(200) + "🚀".repeat(50);
        StreamingDetokenizer stream = new StreamingDetokenizer(spm, false, true);
        StringBuilder out = new StringBuilder();
        for (int id : spm.encode(text, false, false)) {
            out.append(stream.accept(id));
        }
        assertEquals(text, out.append(stream.flush()).toString());
    }
}
