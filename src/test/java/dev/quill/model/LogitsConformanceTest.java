package dev.quill.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.testutil.SharedData;
import dev.quill.tokenizer.Tokenizer;
import dev.quill.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Teacher-forced logits and greedy continuations against llama.cpp's reference outputs in
 * ../shared/conformance/logits, for every model in ../shared/models.
 *
 * <p>Quill reproduces llama.cpp's arithmetic where it matters: activations are converted to the
 * weight type's 8-bit block format (or to halves for F16) before every matrix product, the KV cache
 * and Q are F16, RMSNorm rounds as ggml does. What is left is float summation order, and ggml's
 * vectorised exp in SiLU and softmax, which can differ from a correctly rounded exp in the last
 * bit. Such a last-bit difference occasionally puts one activation on the other side of an 8-bit
 * rounding boundary: that value then moves by one quantization step (1/127 of its block's
 * maximum), and the change reaches every later position through the KV cache. So the checks are:
 * <ul>
 *   <li>every position: the largest difference over llama.cpp's top-10 logits is within a
 *       fraction of that position's top logit: 0.1% for F32/F16 weights (observed ≤ 0.03%), 2.5%
 *       for quantized weights (observed ≤ 1.3% after such a flip);
 *   <li>per model, at least a quarter of all positions agree to 0.1%: they are exact up to float
 *       rounding until the first flip (observed: 40% of positions for micro-llama-q4_k_m, whose
 *       prompts flip early, up to 100%; typical agreement 0.0003%).
 * </ul>
 * A wrong RoPE layout, block decode, scale placement or missing bias gives errors of tens of
 * percent at every position after the first, so both checks catch real bugs.
 */
class LogitsConformanceTest {
    private static final float EXACT = 0.001f;
    private static final Map<String, Float> TOLERANCE = Map.of(
            "stories260K", EXACT,
            "llama-2-tiny-random", EXACT);
    private static final float QUANTIZED_TOLERANCE = 0.025f;

    private static final List<String> REPORT = new ArrayList<>();

    static Stream<Arguments> cases() throws IOException {
        Path dir = SharedData.require("conformance/logits");
        List<Arguments> out = new ArrayList<>();
        for (Path f : goldenFiles(dir)) {
            for (GoldenCase c : GoldenCase.read(f)) {
                out.add(Arguments.of(c));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> models() throws IOException {
        return goldenFiles(SharedData.require("conformance/logits")).stream().map(Arguments::of);
    }

    private static List<Path> goldenFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".golden.json")).sorted().toList();
        }
    }

    /** Per position, the largest |quill − llama.cpp| over llama.cpp's top-10, relative to the top logit. */
    private static float[] relativeErrors(GoldenCase golden) throws IOException {
        Path file = SharedData.model(golden.model() + ".gguf");
        try (Model model = Model.load(file, ModelOptions.defaults().withThreads(2).withContextLength(256))) {
            Tokenizer tokenizer = Tokenizers.fromGguf(model.file().metadata());
            assertArrayEquals(golden.tokens(), tokenizer.encode(golden.prompt(), true, false),
                    "prompt tokens of \"" + golden.prompt() + "\" differ from llama.cpp's");
            int vocab = model.config().vocabSize();
            int n = golden.tokens().length;
            float[] logits = new float[n * vocab];
            model.newTransformer().forward(model.newCache(), golden.tokens(), 0, n, logits, true);
            float[] errors = new float[n];
            for (int p = 0; p < n; p++) {
                float worst = 0;
                for (int i = 0; i < golden.topIds()[p].length; i++) {
                    int id = golden.topIds()[p][i];
                    worst = Math.max(worst, Math.abs(logits[p * vocab + id] - golden.topLogits()[p][i]));
                }
                errors[p] = worst / Math.max(1f, Math.abs(golden.topLogits()[p][0]));
            }
            return errors;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitsOfLlamaCppTopTenAgreeAtEveryPosition(GoldenCase golden) throws IOException {
        float tolerance = TOLERANCE.getOrDefault(golden.model(), QUANTIZED_TOLERANCE);
        float[] errors = relativeErrors(golden);
        StringBuilder perPosition = new StringBuilder();
        float worst = 0;
        int worstAt = 0;
        for (int p = 0; p < errors.length; p++) {
            perPosition.append(String.format(" %.4f", errors[p]));
            if (errors[p] > worst) {
                worst = errors[p];
                worstAt = p;
            }
        }
        synchronized (REPORT) {
            REPORT.add(String.format("%-55s worst %.5f (allowed %.3f), per position:%s", golden, worst, tolerance, perPosition));
        }
        assertTrue(worst <= tolerance, golden + ": logits differ by " + worst * 100 + "% of the top logit at position "
                + worstAt + " (allowed " + tolerance * 100 + "%)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void manyPositionsOfQuantizedModelsAreExactUpToRounding(Path goldenFile) throws IOException {
        int exact = 0;
        int total = 0;
        for (GoldenCase golden : GoldenCase.read(goldenFile)) {
            for (float e : relativeErrors(golden)) {
                total++;
                if (e <= EXACT) {
                    exact++;
                }
            }
        }
        synchronized (REPORT) {
            REPORT.add(String.format("%-40s %d of %d positions agree to 0.1%%", goldenFile.getFileName(), exact, total));
        }
        // A quarter, not more: llama.cpp sums integers, Quill floats, and the float summation order
        // alone moves single positions (a rounding flip in the 8-bit activations carries on through
        // the KV cache): changing the kernels' order moved one file from 46 to 27 of 84 and others
        // up by 10. A broken kernel agrees nowhere; the tolerance test above bounds every position.
        assertTrue(exact * 4 >= total, goldenFile.getFileName() + ": only " + exact + " of " + total
                + " positions agree with llama.cpp to 0.1%");
    }

    /** Random-weight models diverge at near-ties, so only the trained model's greedy text is compared. */
    static Stream<Arguments> trainedModelCases() throws IOException {
        return GoldenCase.read(SharedData.require("conformance/logits/stories260K.golden.json")).stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("trainedModelCases")
    void greedyContinuationOfTrainedModelMatchesExactly(GoldenCase golden) throws IOException {
        Path file = SharedData.model(golden.model() + ".gguf");
        try (Model model = Model.load(file, ModelOptions.defaults().withThreads(2))) {
            Transformer transformer = model.newTransformer();
            KvCache cache = model.newCache();
            int vocab = model.config().vocabSize();
            float[] logits = new float[vocab];
            transformer.forward(cache, golden.tokens(), 0, golden.tokens().length, logits, false);
            int[] generated = new int[golden.greedy().length];
            int[] one = new int[1];
            for (int s = 0; s < generated.length; s++) {
                int best = 0;
                for (int j = 1; j < vocab; j++) {
                    if (logits[j] > logits[best]) {
                        best = j;
                    }
                }
                generated[s] = best;
                one[0] = best;
                transformer.forward(cache, one, 0, 1, logits, false);
            }
            assertArrayEquals(golden.greedy(), generated, "greedy continuation of \"" + golden.prompt() + "\"");
        }
    }

    @AfterAll
    static void printReport() {
        REPORT.forEach(System.out::println);
    }
}
