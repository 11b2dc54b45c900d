package dev.quill.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WeightMatrixDotTest {
    static GgmlType[] types() {
        return KernelChecks.TYPES;
    }

    private static final long WARM_UP_LIMIT_NANOS = 30_000_000_000L;
    private static final int BATCH = 200;

    /**
     * First calls dot in batches until a batch allocates (nearly) nothing: only C2-compiled kernel
     * code does that, as the interpreter and C1 box every vector. So the check that follows runs
     * the compiled vector code, and the kernel is shown to allocate nothing per call (a vector
     * call that C2 failed to inline would stay boxed, and the kernel ~50x slower).
     */
    @ParameterizedTest
    @MethodSource("types")
    void compiledDotAllocatesNothingAndMatchesReference(GgmlType type) {
        Random rnd = new Random(type.id());
        WeightMatrix m = KernelChecks.randomWeights(type, 5, rnd);
        float[] x = KernelChecks.randomVector(m.cols() + 1, rnd);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long deadline = System.nanoTime() + WARM_UP_LIMIT_NANOS;
        long allocated;
        float sink = 0;
        do {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < BATCH; i++) {
                sink += m.dot(i % m.rows(), x, 1);
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        } while (allocated >= BATCH && System.nanoTime() < deadline);
        // Under one byte per call, where a single boxed vector is 64+ bytes.
        assertTrue(allocated < BATCH, type + " dot still allocates " + allocated / BATCH + " bytes per call (" + sink + ")");
        List<String> failures = KernelChecks.checkDots(m, rnd);
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @ParameterizedTest
    @MethodSource("types")
    void matMulEqualsPerRowDotBitForBit(GgmlType type) {
        Random rnd = new Random(100 + type.id());
        int rows = 7;
        int cols = KernelChecks.testCols(type);
        WeightMatrix m = WeightMatrix.of(type, KernelChecks.randomMatrix(type, rows, cols, rnd), rows, cols);
        int batch = 3;
        int xStride = cols + 5;
        int outStride = rows + 2;
        float[] x = KernelChecks.randomVector(xStride * batch, rnd);
        float[] out = new float[outStride * batch];
        try (ThreadPool pool = new ThreadPool(2)) {
            m.matMul(x, xStride, batch, out, outStride, pool);
        }
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < rows; r++) {
                float expected = m.dot(r, x, b * xStride);
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[b * outStride + r]),
                        type + " batch " + b + " row " + r);
            }
        }
    }
}
