package dev.quill.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WeightMatrixDotTest {
    static GgmlType[] types() {
        return KernelChecks.TYPES;
    }

    @ParameterizedTest
    @MethodSource("types")
    void fastDotMatchesReferenceOnRandomBlocks(GgmlType type) {
        // Warm-up calls so that the check usually runs compiled vector code, not only the
        // interpreter's Java fallback (C2 compiles in the background, so not guaranteed).
        List<String> failures = KernelChecks.checkDots(type, new Random(type.id()), 5, 1500);
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
