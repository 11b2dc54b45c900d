package dev.quill.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QuantizerRoundTripTest {
    /**
     * Bound on RMS(decoded - original) / RMS(original) for Gaussian weights. Uniform quantization
     * with step s errs by s/sqrt(12) in RMS; for 32 Gaussian values max|x| is about 2.1 sigma and
     * the range about 4.1 sigma, for 16 values about 1.8 and 3.5. So Q8_0 (s = max/127) ~0.005,
     * Q4_0 (max/8) ~0.08, Q4_1 (range/15) ~0.08, Q5_0/Q5_1 ~0.04, Q6_K (max/32 over 16) ~0.017,
     * Q5_K ~0.04, Q4_K ~0.08, Q3_K (max/4 over 16) ~0.14, Q2_K (range/3 over 16) ~0.33; the simple
     * K-type fits round their sub-block scales to 4-6 bits on top. F16 and BF16 round to 11 and 8
     * significant bits. Bounds sit ~25% above what the encoders reach on this data, so a clearly
     * worse encoder fails.
     */
    static Stream<Arguments> bounds() {
        return Stream.of(
                Arguments.of(GgmlType.F32, 0.0),
                Arguments.of(GgmlType.F16, 0.00025),
                Arguments.of(GgmlType.BF16, 0.002),
                Arguments.of(GgmlType.Q8_0, 0.007),
                Arguments.of(GgmlType.Q4_0, 0.105),
                Arguments.of(GgmlType.Q4_1, 0.097),
                Arguments.of(GgmlType.Q5_0, 0.053),
                Arguments.of(GgmlType.Q5_1, 0.048),
                Arguments.of(GgmlType.Q2_K, 0.41),
                Arguments.of(GgmlType.Q3_K, 0.195),
                Arguments.of(GgmlType.Q4_K, 0.098),
                Arguments.of(GgmlType.Q5_K, 0.048),
                Arguments.of(GgmlType.Q6_K, 0.024));
    }

    private static float[] gaussian(int n, Random rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.02 * rnd.nextGaussian());
        }
        return v;
    }

    private static float[] roundTrip(GgmlType type, float[] values, int rows, int cols, Arena arena) {
        MemorySegment encoded = Quantizer.of(type).quantize(values, rows, cols, arena);
        assertEquals(type.byteSize(cols) * rows, encoded.byteSize());
        WeightMatrix m = WeightMatrix.of(type, encoded, rows, cols);
        float[] decoded = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            m.dequantizeRow(r, decoded, r * cols);
        }
        return decoded;
    }

    @ParameterizedTest
    @MethodSource("bounds")
    void relativeRmsErrorIsWithinBound(GgmlType type, double bound) {
        int rows = 4;
        int cols = 1024;
        float[] values = gaussian(rows * cols, new Random(7 + type.id()));
        try (Arena arena = Arena.ofConfined()) {
            float[] decoded = roundTrip(type, values, rows, cols, arena);
            double error = 0;
            double signal = 0;
            for (int i = 0; i < values.length; i++) {
                error += Math.pow(decoded[i] - values[i], 2);
                signal += Math.pow(values[i], 2);
            }
            double relative = Math.sqrt(error / signal);
            assertTrue(relative <= bound, type + " relative RMS error " + relative + " > " + bound);
        }
    }

    @ParameterizedTest
    @MethodSource("bounds")
    void zerosStayZeros(GgmlType type, double ignored) {
        int cols = 256;
        try (Arena arena = Arena.ofConfined()) {
            assertArrayEquals(new float[cols], roundTrip(type, new float[cols], 1, cols, arena), type.name());
        }
    }

    @Test
    void q8_0ErrsByAtMostHalfAStep() {
        float[] values = gaussian(32 * 8, new Random(3));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment encoded = Quantizer.of(GgmlType.Q8_0).quantize(values, 1, values.length, arena);
            float[] decoded = roundTrip(GgmlType.Q8_0, values, 1, values.length, arena);
            for (int i = 0; i < values.length; i++) {
                float d = Simd.half(encoded, (i / 32) * 34L);
                assertTrue(Math.abs(decoded[i] - values[i]) <= 0.5f * Math.abs(d) * 1.0001f, "value " + i);
            }
        }
    }

    @Test
    void offsetsAndOutliersAreRepresented() {
        // Rows whose blocks are all positive, all negative, or hold one large outlier: the formats
        // with mins must still place them, and the symmetric ones must keep the outlier's sign.
        int cols = 256;
        float[] values = new float[3 * cols];
        Random rnd = new Random(11);
        for (int i = 0; i < cols; i++) {
            values[i] = 1f + 0.1f * rnd.nextFloat();
            values[cols + i] = -1f - 0.1f * rnd.nextFloat();
            values[2 * cols + i] = 0.01f * (float) rnd.nextGaussian();
        }
        values[2 * cols + 100] = 3f;
        try (Arena arena = Arena.ofConfined()) {
            for (GgmlType type : KernelChecks.TYPES) {
                float[] decoded = roundTrip(type, values, 3, cols, arena);
                assertEquals(3f, decoded[2 * cols + 100], 0.3f, type + " outlier");
                double meanPositive = 0;
                double meanNegative = 0;
                for (int i = 0; i < cols; i++) {
                    meanPositive += decoded[i] / cols;
                    meanNegative += decoded[cols + i] / cols;
                }
                assertEquals(1.05, meanPositive, 0.15, type + " all-positive row");
                assertEquals(-1.05, meanNegative, 0.15, type + " all-negative row");
            }
        }
    }
}
