package dev.quill.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.testutil.SharedData;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shipped OpenAI tokenizers: r50k is GPT-2's vocabulary, so llama.cpp's GPT-2 test vectors
 * must hold for it; cl100k's first 100,000 tokens are Llama 3's; digit splitting as the brief
 * describes it; special tokens only when asked.
 */
class ReferenceTokenizerTest {
    private static final ReferenceTokenizer R50K = ReferenceTokenizer.of(ReferenceTokenizer.Kind.R50K);
    private static final ReferenceTokenizer CL100K = ReferenceTokenizer.of(ReferenceTokenizer.Kind.CL100K);
    private static final ReferenceTokenizer O200K = ReferenceTokenizer.of(ReferenceTokenizer.Kind.O200K);

    @Test
    void r50kReproducesLlamaCppsGpt2TestVectors() throws IOException {
        Path gguf = SharedData.require("conformance/tokenizer/ggml-vocab-gpt-2.gguf");
        List<String> inputs = SharedData.splitTokenizerInputs(Files.readString(Path.of(gguf + ".inp"), StandardCharsets.UTF_8));
        List<String> outputs = Files.readAllLines(Path.of(gguf + ".out"), StandardCharsets.UTF_8);
        assertEquals(outputs.size(), inputs.size());
        Tokenizer gguf2 = SharedTokenizers.conformanceVocab("gpt-2");
        for (int i = 0; i < inputs.size(); i++) {
            String line = outputs.get(i).strip();
            int[] expected = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            String input = inputs.get(i);
            int[] got = R50K.encode(input, true, false);
            assertArrayEquals(expected, got, "line " + (i + 1) + " " + TokenizerConformanceTest.visible(input));
            assertEquals(input, R50K.decode(got));
            for (int id : got) {
                // The vocabulary strings agree with the GGUF's GPT-2 vocabulary ("Ġthe" ...).
                assertEquals(gguf2.tokenText(id), R50K.tokenText(id), "token " + id);
            }
        }
    }

    @Test
    void cl100kSharesItsFirstHundredThousandTokensWithLlama3() {
        Tokenizer llama3 = SharedTokenizers.conformanceVocab("llama3");
        int differing = 0;
        for (int id = 0; id < 100_000; id++) {
            if (!llama3.tokenText(id).equals(CL100K.tokenText(id))) {
                differing++;
            }
        }
        assertEquals(0, differing, "Llama 3 extended cl100k_base; its first 100,000 tokens are the same");
    }

    @Test
    void publishedExampleOfTheOpenAiCookbook() {
        // "How to count tokens with tiktoken": cl100k_base encodes "tiktoken is great!" as these six ids.
        assertArrayEquals(new int[] {83, 1609, 5963, 374, 2294, 0}, CL100K.encode("tiktoken is great!", true, false));
    }

    @Test
    void digitsSplitAsEachTokenizerGroupsThem() {
        assertEquals(List.of("123", "45", "678", "90"), texts(R50K, "1234567890"), "GPT-2 merges digit runs arbitrarily");
        assertEquals(List.of("123", "456", "789", "0"), texts(CL100K, "1234567890"), "groups of up to three, left to right");
        assertEquals(List.of("123", "456", "789", "0"), texts(O200K, "1234567890"));
    }

    @Test
    void specialTokensAreTextUnlessAskedFor() {
        String text = "a<|endoftext|>b";
        int[] plain = CL100K.encode(text, true, false);
        assertTrue(Arrays.stream(plain).noneMatch(id -> id == CL100K.eos()), Arrays.toString(plain));
        assertEquals(text, CL100K.decode(plain));
        int[] parsed = CL100K.encode(text, true, true);
        assertEquals(3, parsed.length, Arrays.toString(parsed));
        assertEquals(CL100K.eos(), parsed[1]);
        assertEquals(100_257, CL100K.eos());
        assertEquals(TokenType.CONTROL, CL100K.tokenType(parsed[1]));
        assertEquals("ab", CL100K.detokenize(parsed, false, false), "special tokens are dropped unless unparsed");
        // inside a literal range (user content) the special text stays text
        assertArrayEquals(plain, CL100K.encode(text, true, true, new int[] {1, 14}));
        assertTrue(CL100K.isEndOfGeneration(CL100K.eos()));
        assertEquals(Tokenizer.NO_TOKEN, CL100K.bos());
    }

    @ParameterizedTest
    @EnumSource(ReferenceTokenizer.Kind.class)
    void theLastIdIsASpecialTokenAndAnythingBeyondIsRefused(ReferenceTokenizer.Kind kind) {
        ReferenceTokenizer t = ReferenceTokenizer.of(kind);
        assertEquals(TokenType.CONTROL, t.tokenType(t.vocabSize() - 1), kind + ": the vocabulary size is right");
        assertTrue(t.tokenText(t.vocabSize() - 1).startsWith("<|"));
        try {
            t.tokenBytes(t.vocabSize());
            throw new AssertionError("id past the vocabulary accepted");
        } catch (IndexOutOfBoundsException expected) {
            // refused, as GGUF tokenizers refuse it
        }
    }

    @Test
    void unassignedIdsDecodeToNothing() {
        assertEquals(TokenType.UNUSED, CL100K.tokenType(100_256));
        assertEquals(0, CL100K.tokenBytes(100_256).length);
    }

    @Test
    void anEmojiSplitsIntoTokensThatAreNotWholeCharacters() {
        int[] ids = R50K.encode("🦙", false, false);
        assertTrue(ids.length > 1, Arrays.toString(ids));
        assertFalse(validUtf8(R50K.tokenBytes(ids[0])), "the first piece is part of a character");
        assertEquals("🦙", R50K.decode(ids));
    }

    @Test
    void namesAndAliasesAreFound() {
        assertEquals(ReferenceTokenizer.Kind.R50K, ReferenceTokenizer.find("GPT2").orElseThrow());
        assertEquals(ReferenceTokenizer.Kind.O200K, ReferenceTokenizer.find("o200k_base").orElseThrow());
        assertTrue(ReferenceTokenizer.find("p50k_base").isEmpty());
        assertTrue(ReferenceTokenizer.find(null).isEmpty());
    }

    private static List<String> texts(Tokenizer t, String s) {
        List<String> out = new ArrayList<>();
        for (int id : t.encode(s, false, false)) {
            out.add(new String(t.tokenBytes(id), StandardCharsets.UTF_8));
        }
        return out;
    }

    static boolean validUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
