package dev.quill.bench;

import dev.quill.model.KvCache;
import dev.quill.model.Model;
import dev.quill.model.ModelOptions;
import dev.quill.model.Transformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Measures prompt processing and generation speed of the engine on one model file, as
 * llama-bench does: random token ids, no sampling, timings of the forward passes only.
 */
public final class Benchmark {
    /** What to run. {@code depth} tokens are put in the cache before generation is timed. */
    public record Settings(int threads, int promptTokens, int genTokens, int repeat, int depth, int batch) {
    }

    /** Tokens per second of each repeat, summarised. */
    public record Rate(double median, double min, double max) {
        static Rate of(double[] values) {
            double[] v = values.clone();
            Arrays.sort(v);
            double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            return new Rate(median, v[0], v[v.length - 1]);
        }
    }

    /** Results of one setting. */
    public record Result(Settings settings, double loadSeconds, Rate prefill, Rate decode, long bytesPerToken,
            long residentBytes, long fileBytes, long kvBytes) {
    }

    private Benchmark() {
    }

    public static Result run(Path file, Settings s) throws IOException {
        int context = Math.max(s.promptTokens(), s.depth()) + s.genTokens() + 1;
        long t0 = System.nanoTime();
        try (Model model = Model.load(file, new ModelOptions(Math.min(context, trained(file)), s.threads(), s.batch()))) {
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            int vocab = model.config().vocabSize();
            SplittableRandom rnd = new SplittableRandom(1234);
            int[] prompt = rnd.ints(Math.max(s.promptTokens(), s.depth()), 0, vocab).toArray();
            int[] generated = rnd.ints(s.genTokens(), 0, vocab).toArray();
            Transformer transformer = model.newTransformer();
            KvCache cache = model.newCache();
            float[] logits = new float[vocab];
            // Warm-up: lets the JIT compile every kernel before anything is timed.
            transformer.forward(cache, prompt, 0, Math.min(prompt.length, 2 * s.batch()), logits, false);
            for (int i = 0; i < Math.min(8, generated.length); i++) {
                transformer.forward(cache, generated, i, 1, logits, false);
            }
            double[] prefill = new double[s.repeat()];
            double[] decode = new double[s.repeat()];
            for (int r = 0; r < s.repeat(); r++) {
                cache.truncate(0);
                long a = System.nanoTime();
                transformer.forward(cache, prompt, 0, s.promptTokens(), logits, false);
                long b = System.nanoTime();
                prefill[r] = s.promptTokens() * 1e9 / (b - a);
                cache.truncate(0);
                if (s.depth() > 0) {
                    transformer.forward(cache, prompt, 0, s.depth(), logits, false);
                }
                long c = System.nanoTime();
                for (int i = 0; i < generated.length; i++) {
                    transformer.forward(cache, generated, i, 1, logits, false);
                }
                long d = System.nanoTime();
                decode[r] = generated.length * 1e9 / (d - c);
            }
            return new Result(s, loadSeconds, Rate.of(prefill), Rate.of(decode), model.weights().bytesPerToken(),
                    residentBytes(), Files.size(file), cache.byteSize());
        }
    }

    private static int trained(Path file) throws IOException {
        try (var f = dev.quill.gguf.GgufFile.open(file)) {
            String arch = f.metadata().getString("general.architecture", "llama");
            return f.metadata().getInt(arch + ".context_length", 4096);
        }
    }

    /** Resident set size of this process (Linux), or -1. */
    public static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
