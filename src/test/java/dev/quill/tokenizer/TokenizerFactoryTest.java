package dev.quill.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.gguf.GgufFormatException;
import dev.quill.gguf.GgufMetadata;
import dev.quill.gguf.GgufValueType;
import dev.quill.gguf.MetadataValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The factory and both algorithms on small hand-made vocabularies, so the rules are checked
 * even without the reference files.
 */
class TokenizerFactoryTest {
    /** A byte-level BPE vocabulary: the 256 byte characters, then {@code extra}. */
    private static Map<String, MetadataValue> bpe(String pre, List<String> extra, List<String> merges) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevelEncoding.charForByte(b)));
        }
        tokens.addAll(extra);
        Map<String, MetadataValue> kv = new LinkedHashMap<>();
        kv.put("tokenizer.ggml.model", MetadataValue.string("gpt2"));
        if (pre != null) {
            kv.put("tokenizer.ggml.pre", MetadataValue.string(pre));
        }
        kv.put("tokenizer.ggml.tokens", MetadataValue.stringArray(tokens.toArray(String[]::new)));
        kv.put("tokenizer.ggml.merges", MetadataValue.stringArray(merges.toArray(String[]::new)));
        return kv;
    }

    /** A SentencePiece vocabulary: unk, bos, eos, 256 byte tokens, then the scored pieces. */
    private static Map<String, MetadataValue> spm(Map<String, Float> pieces) {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
        }
        List<Float> scores = new ArrayList<>();
        tokens.forEach(t -> scores.add(0f));
        pieces.forEach((piece, score) -> {
            tokens.add(piece);
            types.add(1);
            scores.add(score);
        });
        float[] scoreArray = new float[scores.size()];
        for (int i = 0; i < scoreArray.length; i++) {
            scoreArray[i] = scores.get(i);
        }
        Map<String, MetadataValue> kv = new LinkedHashMap<>();
        kv.put("tokenizer.ggml.model", MetadataValue.string("llama"));
        kv.put("tokenizer.ggml.tokens", MetadataValue.stringArray(tokens.toArray(String[]::new)));
        kv.put("tokenizer.ggml.scores", MetadataValue.float32Array(scoreArray));
        kv.put("tokenizer.ggml.token_type", MetadataValue.array(GgufValueType.INT32, types.stream().mapToInt(i -> i).toArray()));
        return kv;
    }

    private static Tokenizer build(Map<String, MetadataValue> kv) {
        return Tokenizers.fromGguf(new GgufMetadata(kv));
    }

    private static String[] texts(Tokenizer tokenizer, int[] ids) {
        String[] texts = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            texts[i] = tokenizer.tokenText(ids[i]);
        }
        return texts;
    }

    @Test
    void unknownTokenizerModelIsAClearError() {
        Map<String, MetadataValue> kv = new LinkedHashMap<>();
        kv.put("tokenizer.ggml.model", MetadataValue.string("bert"));
        kv.put("tokenizer.ggml.tokens", MetadataValue.stringArray(new String[] {"[UNK]", "a"}));
        UnsupportedTokenizerException e = assertThrows(UnsupportedTokenizerException.class, () -> build(kv));
        assertTrue(e.getMessage().contains("'bert'"), e.getMessage());
        assertTrue(e.getMessage().contains("llama") && e.getMessage().contains("gpt2"), e.getMessage());
    }

    @Test
    void unknownPreTokenizerIsAClearError() {
        UnsupportedTokenizerException e = assertThrows(UnsupportedTokenizerException.class,
                () -> build(bpe("tekken", List.of(), List.of())));
        assertTrue(e.getMessage().contains("'tekken'"), e.getMessage());
        for (String supported : List.of("llama-bpe", "llama3", "qwen2", "gpt-2", "smollm", "starcoder", "default")) {
            assertTrue(e.getMessage().contains(supported), e.getMessage());
        }
    }

    @Test
    void missingTokenizerIsAFormatError() {
        assertThrows(GgufFormatException.class, () -> build(new LinkedHashMap<>()));
        Map<String, MetadataValue> kv = bpe("gpt-2", List.of(), List.of());
        kv.remove("tokenizer.ggml.merges");
        assertThrows(GgufFormatException.class, () -> build(kv));
    }

    @Test
    void missingPreTokenizerMeansDefault() {
        // merged as one word, "1234" would become 12|34; the default chain first cuts it into 123|4
        Tokenizer tokenizer = build(bpe(null, List.of("12", "34"), List.of("3 4", "1 2")));
        assertEquals("gpt2", tokenizer.model());
        assertFalse(tokenizer.addBos());
        assertEquals(11, tokenizer.bos(), "llama.cpp's BPE default");
        assertArrayEquals(new String[] {"12", "3", "4"}, texts(tokenizer, tokenizer.encode("1234", false, false)));
        Tokenizer gpt2 = build(bpe("gpt-2", List.of("12", "34"), List.of("3 4", "1 2")));
        assertArrayEquals(new String[] {"12", "34"}, texts(gpt2, gpt2.encode("1234", false, false)));
    }

    @Test
    void bpeMergesLowestRankFirst() {
        List<String> extra = List.of("ab", "bc");
        Tokenizer abFirst = build(bpe("gpt-2", extra, List.of("a b", "b c")));
        assertArrayEquals(new String[] {"ab", "c"}, texts(abFirst, abFirst.encode("abc", false, false)));
        Tokenizer bcFirst = build(bpe("gpt-2", extra, List.of("b c", "a b")));
        assertArrayEquals(new String[] {"a", "bc"}, texts(bcFirst, bcFirst.encode("abc", false, false)));
    }

    @Test
    void bpeTiesGoToTheLeftmostPair() {
        Tokenizer tokenizer = build(bpe("gpt-2", List.of("aa"), List.of("a a")));
        assertArrayEquals(new String[] {"aa", "a"}, texts(tokenizer, tokenizer.encode("aaa", false, false)));
    }

    @Test
    void llama3TakesAWholeWordTokenEvenAgainstTheMerges() {
        // "abc" is a token but no merge chain reaches it: only ignore_merges (llama-bpe) finds it
        List<String> extra = List.of("ab", "abc", "<s>");
        List<String> merges = List.of("a b");
        Tokenizer gpt2 = build(bpe("gpt-2", extra, merges));
        assertArrayEquals(new String[] {"ab", "c"}, texts(gpt2, gpt2.encode("abc", false, false)));
        Map<String, MetadataValue> kv = bpe("llama-bpe", extra, merges);
        kv.put("tokenizer.ggml.bos_token_id", MetadataValue.uint32(256 + 2));
        Tokenizer llama3 = build(kv);
        assertTrue(llama3.addBos(), "llama-bpe adds BOS by default");
        assertArrayEquals(new String[] {"<s>", "abc"}, texts(llama3, llama3.encode("abc", true, false)));
    }

    @Test
    void sentencePieceMergesHighestScoreFirst() {
        Tokenizer leftFirst = build(spm(Map.of("▁a", -1f, "ab", -2f, "b", -3f, "▁", -4f, "a", -5f)));
        assertArrayEquals(new String[] {"▁a", "b"}, texts(leftFirst, leftFirst.encode("ab", false, false)));
        Tokenizer rightFirst = build(spm(Map.of("▁a", -2f, "ab", -1f, "b", -3f, "▁", -4f, "a", -5f)));
        assertArrayEquals(new String[] {"▁", "ab"}, texts(rightFirst, rightFirst.encode("ab", false, false)));
    }

    @Test
    void sentencePieceTiesGoToTheLeftmostPair() {
        Map<String, MetadataValue> kv = spm(Map.of("a", -1f, "aa", -2f));
        kv.put("tokenizer.ggml.add_space_prefix", MetadataValue.bool(false));
        Tokenizer tokenizer = build(kv);
        assertArrayEquals(new String[] {"aa", "a"}, texts(tokenizer, tokenizer.encode("aaa", false, false)));
        assertEquals("aaa", tokenizer.detokenize(tokenizer.encode("aaa", false, false), false, false),
                "without a space prefix nothing is stripped");
    }

    @Test
    void sentencePieceFallsBackToByteTokens() {
        Tokenizer tokenizer = build(spm(Map.of("▁", -1f, "a", -2f)));
        assertTrue(tokenizer.addBos(), "SentencePiece adds BOS by default");
        assertArrayEquals(new String[] {"<s>", "▁", "a", "<0xC3>", "<0xA9>"},
                texts(tokenizer, tokenizer.encode("aé", true, false)));
        assertEquals(" aé", tokenizer.decode(tokenizer.encode("aé", false, false)));
    }

    @Test
    void loneSurrogatesBecomeReplacementCharacters() {
        Tokenizer tokenizer = build(bpe("gpt-2", List.of(), List.of()));
        int[] ids = tokenizer.encode("a\uD800b", false, false);
        assertEquals("a\uFFFDb", tokenizer.decode(ids));
    }
}
