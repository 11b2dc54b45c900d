package dev.quill.tensor;

import java.lang.management.ManagementFactory;
import java.util.Random;

/**
 * Child JVM of {@link KernelInliningBudgetTest}: runs every weight type's dot and batched
 * products (the fused per-vector path, the tiled path and the prompt-sized blocked path) until
 * they stop allocating, which only C2-compiled kernels do, so that the JIT log the parent reads
 * holds each kernel's C2 compilation. Prints one line per type; exits 1 if a type never got
 * there within its time limit.
 */
final class KernelWarmUpMain {
    private KernelWarmUpMain() {
    }

    private static final long LIMIT_NANOS_PER_TYPE = 20_000_000_000L;

    public static void main(String[] args) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        boolean allCompiled = true;
        for (GgmlType type : KernelChecks.TYPES) {
            Random rnd = new Random(type.id());
            WeightMatrix m = KernelChecks.randomWeights(type, 12, rnd);
            int cols = m.cols();
            // Inputs past the size TiledMatMul keeps in L2: the prompt-sized blocked path.
            int prompt = 256 * 1024 / (Float.BYTES * cols) + 1;
            float[] x = KernelChecks.randomVector(cols * prompt, rnd);
            float[] out = new float[m.rows() * prompt];
            long deadline = System.nanoTime() + LIMIT_NANOS_PER_TYPE;
            long allocated;
            int rounds = 0;
            do {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 50; i++) {
                    m.matMulRows(x, 0, cols, 2, out, m.rows(), 0, m.rows());
                    m.matMulRows(x, 0, cols, 13, out, m.rows(), 0, m.rows());
                    out[i] += m.dot(i % m.rows(), x, i);
                }
                m.matMulRows(x, 0, cols, prompt, out, m.rows(), 0, m.rows());
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
                rounds++;
            // A boxed vector is at least 64 bytes; the interpreter and C1 box every vector call.
            } while (allocated >= 64 && System.nanoTime() < deadline);
            System.out.println(type + " rounds=" + rounds + " allocated=" + allocated);
            allCompiled &= allocated < 64;
        }
        System.exit(allCompiled ? 0 : 1);
    }
}
