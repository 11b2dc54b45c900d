package dev.quill.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quill.testutil.SharedData;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * llama.cpp's tokenizer test vectors (test-tokenizer-0): every input of each vocabulary's
 * {@code .inp} must tokenize to the ids on the matching line of its {@code .out} (no BOS, special
 * tokens not parsed), and decode back to the input.
 */
class TokenizerConformanceTest {

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (String vocab : List.of("llama3", "gpt-2", "llama-spm")) {
            Path gguf = SharedData.require("conformance/tokenizer/ggml-vocab-" + vocab + ".gguf");
            List<String> inputs = SharedData.splitTokenizerInputs(Files.readString(Path.of(gguf + ".inp"), StandardCharsets.UTF_8));
            List<String> outputs = Files.readAllLines(Path.of(gguf + ".out"), StandardCharsets.UTF_8);
            assertEquals(outputs.size(), inputs.size(), vocab + ": .inp and .out disagree on the number of tests");
            for (int i = 0; i < inputs.size(); i++) {
                String line = outputs.get(i).strip();
                int[] expected = line.isEmpty() ? new int[0]
                        : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
                String input = inputs.get(i);
                cases.add(Arguments.of(vocab, i + 1, Named.of(visible(input), input), expected));
            }
        }
        return cases.stream();
    }

    static String visible(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + '"';
    }

    @ParameterizedTest(name = "{0} #{1}: {2}")
    @MethodSource("cases")
    void tokenizesLikeLlamaCpp(String vocab, int line, String input, int[] expected) {
        Tokenizer tokenizer = SharedTokenizers.conformanceVocab(vocab);
        assertArrayEquals(expected, tokenizer.encode(input, false, false), () -> vocab + " line " + line + " " + visible(input));
    }

    @ParameterizedTest(name = "{0} #{1}: {2}")
    @MethodSource("cases")
    void decodesBackToTheInput(String vocab, int line, String input, int[] expected) {
        Tokenizer tokenizer = SharedTokenizers.conformanceVocab(vocab);
        if (tokenizer.model().equals("llama")) {
            // SentencePiece prefixes a space to the text, so the tokens spell " " + input; llama.cpp's
            // detokenizer drops that first space again (the ids have no BOS that would keep it)
            assertEquals(input.isEmpty() ? "" : " " + input, tokenizer.decode(expected), () -> visible(input));
            assertEquals(input, tokenizer.detokenize(expected, false, true), () -> visible(input));
        } else {
            // byte-level BPE is lossless; detokenize() would also clean spaces before punctuation
            assertEquals(input, tokenizer.decode(expected), () -> visible(input));
        }
    }
}
