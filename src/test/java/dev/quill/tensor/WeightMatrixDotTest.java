package dev.quill.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
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

    /**
     * Batch invariance: every vector of a batched product gets the bits dot gives it alone, for
     * batch sizes around and past the tiled kernels' groups of four, rows across several tiles
     * (with rows left over) and two threads, odd and even block counts.
     */
    @ParameterizedTest
    @MethodSource("types")
    void matMulEqualsPerVectorDotBitForBit(GgmlType type) {
        Random rnd = new Random(100 + type.id());
        int rows = 69;
        List<String> failures = new ArrayList<>();
        try (ThreadPool pool = new ThreadPool(2)) {
            // An odd and an even number of blocks: some kernels alternate accumulators per block.
            int cols0 = KernelChecks.testCols(type);
            // F16's own test width is not whole vectors; 96 takes the tiled path.
            int[] widths = type.blockSize() <= 32
                    ? new int[] {cols0, cols0 + type.blockSize(), 96}
                    : new int[] {cols0, cols0 + type.blockSize()};
            for (int cols : widths) {
                WeightMatrix m = WeightMatrix.of(type, KernelChecks.randomMatrix(type, rows, cols, rnd), rows, cols);
                for (int batch : KernelChecks.BATCHES) {
                    failures.addAll(KernelChecks.checkMatMul(m, batch, rnd, pool));
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " mismatches:\n" + String.join("\n", failures));
    }

    /**
     * Prompt-sized batches, whose inputs overflow L2, go through blocks of many rows ({@link
     * TiledMatMul#blockRows}): every vector still gets dot's bits, with the rows split unevenly
     * between two threads (each range ending in a group short of three rows) and a batch that
     * is not whole groups of four.
     */
    @ParameterizedTest
    @MethodSource("types")
    void promptSizedBatchesInRowBlocksEqualPerVectorDotBitForBit(GgmlType type) {
        Random rnd = new Random(200 + type.id());
        int rows = 100;
        int cols = 512;
        int batch = 130;
        assertTrue(TiledMatMul.blockRows(cols, batch, false) > 3 * 4, "the batch must take the blocked path");
        WeightMatrix m = WeightMatrix.of(type, KernelChecks.randomMatrix(type, rows, cols, rnd), rows, cols);
        List<String> failures = new ArrayList<>();
        try (ThreadPool pool = new ThreadPool(2)) {
            failures.addAll(KernelChecks.checkMatMul(m, batch, rnd, pool));
        }
        assertTrue(failures.isEmpty(), () -> failures.size() + " mismatches, first:\n" + failures.getFirst());
    }

    /**
     * The batched product once C2 has compiled it: 13 vectors (three groups of four and one left
     * over), 3 vectors and 2 (for Q8_0 its pair kernel, see {@link WeightMatrix#dotRows}) allocate
     * nothing, so no vector is boxed, and the compiled code still matches dot bit for bit for
     * every batch size up to 13.
     */
    @ParameterizedTest
    @MethodSource("types")
    void compiledBatchedProductAllocatesNothingAndMatchesDot(GgmlType type) {
        Random rnd = new Random(200 + type.id());
        WeightMatrix m = KernelChecks.randomWeights(type, 5, rnd);
        int batch = 13;
        int xStride = m.cols() + 1;
        float[] x = KernelChecks.randomVector(xStride * batch, rnd);
        float[] out = new float[m.rows() * batch];
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long deadline = System.nanoTime() + WARM_UP_LIMIT_NANOS;
        int calls = BATCH / 10;
        long allocated;
        do {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < calls; i++) {
                m.matMulRows(x, 0, xStride, batch, out, m.rows(), 0, m.rows());
                m.matMulRows(x, 0, xStride, 3, out, m.rows(), 0, m.rows());
                m.matMulRows(x, 0, xStride, 2, out, m.rows(), 0, m.rows());
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        } while (allocated >= calls && System.nanoTime() < deadline);
        assertTrue(allocated < calls, type + " batched product still allocates " + allocated / calls + " bytes per call");
        for (int count = 1; count <= batch; count++) {
            float[] many = new float[count * m.rows()];
            m.matMulRows(x, 0, xStride, count, many, m.rows(), 0, m.rows());
            for (int r = 0; r < m.rows(); r++) {
                for (int i = 0; i < count; i++) {
                    float alone = m.dot(r, x, i * xStride);
                    assertEquals(Float.floatToRawIntBits(alone), Float.floatToRawIntBits(many[i * m.rows() + r]),
                            type + " batch of " + count + ", vector " + i + ", row " + r);
                }
            }
        }
    }

    /**
     * The tiled product multiplies what the fast row decode writes, so that decode must give the
     * reference decode's values bit for bit, for every type that has one.
     */
    static GgmlType[] decodingTypes() {
        return new GgmlType[] {GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K};
    }

    @ParameterizedTest
    @MethodSource("decodingTypes")
    void fastRowDecodeEqualsReferenceDecodeBitForBit(GgmlType type) {
        Random rnd = new Random(300 + type.id());
        int cols = type.blockSize() == 1 ? 128 : KernelChecks.testCols(type);
        WeightMatrix m = WeightMatrix.of(type, KernelChecks.randomMatrix(type, 7, cols, rnd), 7, cols);
        assertTrue(m.decodesRows(), type + " should take the tiled batched path");
        float[] fast = new float[cols + 3];
        float[] reference = new float[cols + 3];
        for (int r = 0; r < m.rows(); r++) {
            m.decodeRow(r, fast, 3);
            m.dequantizeRow(r, reference, 3);
            for (int i = 0; i < cols; i++) {
                assertEquals(Float.floatToRawIntBits(reference[3 + i]), Float.floatToRawIntBits(fast[3 + i]),
                        type + " row " + r + " value " + i);
            }
        }
    }
}
