package dev.quill.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.quill.testutil.SharedData;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decoding a token allocates nothing, on the calling thread or the compute pool's workers, once
 * the JIT has compiled the forward pass: the hot path's zero-allocation rule, checked on the whole
 * forward pass (every matrix product, attention, normalisation) rather than kernel by kernel.
 */
class DecodeAllocationTest {
    private static final long WARM_UP_LIMIT_NANOS = 120_000_000_000L;
    private static final int STEPS = 24;

    @ParameterizedTest
    @ValueSource(strings = {"micro-llama-q4_0.gguf", "micro-llama-q4_k_m.gguf", "stories260K.gguf"})
    void decodeStepsAllocateNothingOnceCompiled(String file) throws Exception {
        try (Model model = Model.load(SharedData.model(file), ModelOptions.defaults().withContextLength(64).withThreads(2))) {
            Transformer transformer = model.newTransformer();
            KvCache cache = model.newCache();
            int vocab = model.config().vocabSize();
            int[] tokens = new Random(7).ints(64, 1, vocab).toArray();
            float[] logits = new float[vocab];
            transformer.forward(cache, tokens, 0, 8, logits, false);
            ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            long[] ids = computeThreadIds();
            long deadline = System.nanoTime() + WARM_UP_LIMIT_NANOS;
            long allocated;
            do {
                long before = allocatedBytes(threads, ids);
                for (int i = 0; i < STEPS; i++) {
                    // Positions 8..31 stay within the cache's first page, so no page is taken.
                    transformer.forward(cache, tokens, cache.length(), 1, logits, false);
                }
                allocated = allocatedBytes(threads, ids) - before;
                cache.truncate(8);
            } while (allocated > 0 && System.nanoTime() < deadline);
            assertTrue(allocated == 0, file + ": " + STEPS + " decode steps still allocate " + allocated + " bytes");
            cache.close();
        }
    }

    private static long[] computeThreadIds() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t == Thread.currentThread() || t.getName().startsWith("quill-compute-"))
                .mapToLong(Thread::threadId)
                .toArray();
    }

    /** Per thread: the array form of the query would itself allocate its result. */
    private static long allocatedBytes(ThreadMXBean threads, long[] ids) {
        long total = 0;
        for (long id : ids) {
            total += Math.max(0, threads.getThreadAllocatedBytes(id));
        }
        return total;
    }
}
