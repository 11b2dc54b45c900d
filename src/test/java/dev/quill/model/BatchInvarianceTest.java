package dev.quill.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quill.testutil.SharedData;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A sequence's logits are bit for bit the same whether it runs alone or in a step with other
 * sequences' rows (decoding and prefilling), with its prompt in one piece or in chunks, and from a
 * forked (prefix-cached) cache: the property that makes side-by-side comparisons trustworthy.
 */
class BatchInvarianceTest {
    @ParameterizedTest
    @ValueSource(strings = {"stories260K.gguf", "micro-llama-q4_0.gguf", "micro-llama-q4_k_m.gguf", "micro-llama-q6_k.gguf",
        "micro-llama-q8_0.gguf", "micro-phi3-q4_k_m.gguf", "micro-qwen2-q8_0.gguf"})
    void logitsDoNotDependOnTheBatch(String file) throws Exception {
        try (Model model = Model.load(SharedData.model(file), ModelOptions.defaults().withContextLength(128).withThreads(2)
                .withMaxBatch(32))) {
            int vocab = model.config().vocabSize();
            Random random = new Random(file.hashCode());
            int[] target = randomTokens(random, vocab, 12);
            int[] other = randomTokens(random, vocab, 20);
            int[] third = randomTokens(random, vocab, 5);

            // Alone: the whole prompt in one forward, logits of its last token.
            Transformer t = model.newTransformer();
            float[] alone = new float[vocab];
            t.forward(model.newCache(), target, 0, target.length, alone, false);

            // Together: the first 7 target tokens alone, then a step mixing the other sequences'
            // rows (one decoding, one prefilling) around the target's last 5 rows.
            KvPagePool pool = new KvPagePool(model.config(), 64);
            KvCache targetCache = new KvCache(pool, 128);
            KvCache otherCache = new KvCache(pool, 128);
            KvCache thirdCache = new KvCache(pool, 128);
            t.forward(targetCache, target, 0, 7, null, false);
            t.forward(otherCache, other, 0, 19, null, false);
            KvCache[] caches = new KvCache[32];
            int[] positions = new int[32];
            int[] tokens = new int[32];
            int rows = 0;
            caches[rows] = otherCache;
            positions[rows] = 19;
            tokens[rows++] = other[19];
            int lastTargetRow = 0;
            for (int i = 7; i < 12; i++) {
                caches[rows] = targetCache;
                positions[rows] = i;
                lastTargetRow = rows;
                tokens[rows++] = target[i];
            }
            for (int i = 0; i < third.length; i++) {
                caches[rows] = thirdCache;
                positions[rows] = i;
                tokens[rows++] = third[i];
            }
            float[] batched = new float[3 * vocab];
            t.forwardBatch(rows, caches, positions, tokens, new int[] {0, lastTargetRow, rows - 1}, 3, batched);
            for (int i = 0; i < vocab; i++) {
                assertEquals(Float.floatToRawIntBits(alone[i]), Float.floatToRawIntBits(batched[vocab + i]),
                        file + ": logit " + i + " differs in a batch: " + alone[i] + " vs " + batched[vocab + i]);
            }

            // From a fork of the target's first 7 positions (a prefix-cache hit), then the rest.
            KvCache fork = targetCache.fork(7);
            float[] forked = new float[vocab];
            t.forward(fork, target, 7, 5, forked, false);
            for (int i = 0; i < vocab; i++) {
                assertEquals(Float.floatToRawIntBits(alone[i]), Float.floatToRawIntBits(forked[i]),
                        file + ": logit " + i + " differs after a prefix-cache fork");
            }
            // Writing past the fork copied the shared page: the original still holds 12 positions.
            assertEquals(12, targetCache.length());
            targetCache.close();
            otherCache.close();
            thirdCache.close();
            fork.close();
            assertEquals(0, pool.pagesInUse(), "every page returned to the pool");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"micro-llama-q4_0.gguf", "micro-llama-q4_k_m.gguf", "micro-phi3-q4_k_m.gguf", "micro-qwen2-q8_0.gguf"})
    void logitsDoNotDependOnTheThreadCount(String file) throws Exception {
        // The rows of a step are split across threads for the work between products (norms,
        // activation conversion, RoPE and the cache write, SwiGLU): every split gives the same bits.
        int[] prompt = randomTokens(new Random(file.hashCode()), 256, 23);
        float[] reference = null;
        for (int threads : new int[] {1, 2, 3, 5}) {
            try (Model model = Model.load(SharedData.model(file), ModelOptions.defaults().withContextLength(64)
                    .withThreads(threads).withMaxBatch(32))) {
                int vocab = model.config().vocabSize();
                float[] logits = new float[prompt.length * vocab];
                model.newTransformer().forward(model.newCache(), prompt, 0, prompt.length, logits, true);
                if (reference == null) {
                    reference = logits;
                    continue;
                }
                for (int i = 0; i < logits.length; i++) {
                    assertEquals(Float.floatToRawIntBits(reference[i]), Float.floatToRawIntBits(logits[i]),
                            file + ", " + threads + " threads: logit " + (i % vocab) + " of position " + (i / vocab));
                }
            }
        }
    }

    private static int[] randomTokens(Random random, int vocab, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 3 + random.nextInt(vocab - 3);
        }
        return t;
    }
}
