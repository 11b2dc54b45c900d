package dev.quill.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quill.testutil.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** Word splitting, including the regex path that only Qwen2-style vocabularies exercise. */
class PreTokenizerTest {
    // llama.cpp's Llama 3 regex in the form it may also run through std::regex
    private static final String LLAMA3_REGEX = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

    private static final List<String> TRICKY = List.of("", " ", "a", "  a", "a  ", "\t\n \r\n x", "it's I'LL we'Re 'd",
            "x \u00A0\u3000y", "naïve café 12345 ١٢٣٤", "🚀 (emoji) 😶‍🌫️!!", "a\u0301b", "   \n\n\n  z", "a'", "'",
            "x = [1, 2];\n\tif (y) {return;}", "Ŀ ǅ ᾈ ʰ", "\u0000\u0085\u2028end");

    private static List<String> words(PreTokenizer preTokenizer, String text) {
        int[] codePoints = text.codePoints().toArray();
        IntList lengths = preTokenizer.split(new SplitText(codePoints));
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < lengths.size(); i++) {
            words.add(new String(codePoints, start, lengths.get(i)));
            start += lengths.get(i);
        }
        assertEquals(codePoints.length, start, "the words cover the text");
        return words;
    }

    private static List<String> inputs() throws IOException {
        List<String> inputs = new ArrayList<>(TRICKY);
        inputs.addAll(SharedData.splitTokenizerInputs(Files.readString(
                SharedData.require("conformance/tokenizer/ggml-vocab-llama3.gguf.inp"), StandardCharsets.UTF_8)));
        return inputs;
    }

    /**
     * llama.cpp keeps a hand-written scanner and the regex for Llama 3 and GPT-2 and treats them as
     * equal; running the regex through our collapsed-category path must therefore agree with our
     * scanners, which checks the path Qwen2 depends on.
     */
    @Test
    void collapsedRegexAgreesWithTheLlama3Scanner() throws IOException {
        PreTokenizer scanner = new PreTokenizer("llama3", List.of(new Llama3WordScanner()));
        PreTokenizer regex = new PreTokenizer("llama3-regex", List.of(new RegexSplitStage(LLAMA3_REGEX)));
        for (String input : inputs()) {
            assertEquals(words(scanner, input), words(regex, input), TokenizerConformanceTest.visible(input));
        }
    }

    @Test
    void collapsedRegexAgreesWithTheGpt2Scanner() throws IOException {
        PreTokenizer scanner = new PreTokenizer("gpt-2", List.of(new Gpt2WordScanner()));
        PreTokenizer regex = new PreTokenizer("gpt-2-regex", List.of(new RegexSplitStage(GPT2_REGEX)));
        for (String input : inputs()) {
            assertEquals(words(scanner, input), words(regex, input), TokenizerConformanceTest.visible(input));
        }
    }

    @Test
    void categoriesCollapseToStandInsAndAsciiMembers() {
        assertEquals("[\u00D10-9]", RegexSplitStage.collapseCategories("\\p{N}"));
        assertEquals("[^\\s\u00D2A-Za-z\u00D10-9]+", RegexSplitStage.collapseCategories("[^\\s\\p{L}\\p{N}]+"));
        assertEquals("\\[\\p{X}", RegexSplitStage.collapseCategories("\\[\\p{X}"));
    }

    @Test
    void qwen2SplitsDigitsSinglyAndKeepsContractionsApart() {
        PreTokenizer qwen2 = PreTokenizers.forKind(PreTokenizers.Kind.QWEN2);
        assertEquals(List.of("Hello", " ", "1", "2", "3", " world", "'S", " café", "!\n\n", "  ", " ü"),
                words(qwen2, "Hello 123 world'S café!\n\n   ü"));
    }

    @Test
    void llama3GroupsDigitsInThrees() {
        PreTokenizer llama3 = PreTokenizers.forKind(PreTokenizers.Kind.LLAMA3);
        assertEquals(List.of("123", "456", "7", " x"), words(llama3, "1234567 x"));
    }

    @Test
    void starcoderSplitsEveryDigitBeforeGpt2Rules() {
        PreTokenizer starcoder = PreTokenizers.forKind(PreTokenizers.Kind.STARCODER);
        assertEquals(List.of("a", "1", "2", " b"), words(starcoder, "a12 b"));
    }
}
