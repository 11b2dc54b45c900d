package dev.quill.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random valid weight data and the fast-versus-reference dot check, shared by the JUnit tests and
 * by {@link ShapeCheckMain}, which reruns the check in JVMs with narrower vectors.
 */
final class KernelChecks {
    private KernelChecks() {
    }

    static final GgmlType[] TYPES = {
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1,
        GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K,
        GgmlType.Q6_K,
    };

    private static final ValueLayout.OfShort SHORT_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Byte offsets, within one block, of the f16 scales of each quantized type (ggml layouts). */
    static int[] halfFields(GgmlType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException(type.name());
        };
    }

    /** A column count of several blocks, odd for the float types so dot's scalar tail runs. */
    static int testCols(GgmlType type) {
        return switch (type.blockSize()) {
            case 1 -> 75;
            case 32 -> 160;
            default -> 512;
        };
    }

    /**
     * Random bytes everywhere (every bit pattern of a quant field is valid), then finite scales of
     * either sign between 1e-3 and 1e-1 in magnitude; float types get random normal values.
     */
    static MemorySegment randomMatrix(GgmlType type, int rows, int cols, Random rnd) {
        long bytes = type.byteSize(cols) * rows;
        MemorySegment seg = MemorySegment.ofArray(new byte[(int) bytes]);
        switch (type) {
            case F32 -> {
                for (long i = 0; i < bytes / 4; i++) {
                    seg.set(FLOAT_LE, 4 * i, (float) rnd.nextGaussian());
                }
            }
            case F16 -> {
                for (long i = 0; i < bytes / 2; i++) {
                    seg.set(SHORT_LE, 2 * i, Float.floatToFloat16((float) rnd.nextGaussian()));
                }
            }
            case BF16 -> {
                for (long i = 0; i < bytes / 2; i++) {
                    int bits = Float.floatToIntBits((float) rnd.nextGaussian());
                    seg.set(SHORT_LE, 2 * i, (short) (bits >>> 16));
                }
            }
            default -> {
                byte[] raw = new byte[(int) bytes];
                rnd.nextBytes(raw);
                MemorySegment.copy(MemorySegment.ofArray(raw), 0, seg, 0, bytes);
                for (long block = 0; block < bytes; block += type.blockBytes()) {
                    for (int field : halfFields(type)) {
                        float magnitude = (float) Math.exp(Math.log(1e-3) + rnd.nextDouble() * Math.log(100));
                        float scale = rnd.nextBoolean() ? magnitude : -magnitude;
                        seg.set(SHORT_LE, block + field, Float.floatToFloat16(scale));
                    }
                }
            }
        }
        return seg;
    }

    static float[] randomVector(int n, Random rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    /** A random matrix of {@code rows} rows and {@link #testCols} columns. */
    static WeightMatrix randomWeights(GgmlType type, int rows, Random rnd) {
        int cols = testCols(type);
        return WeightMatrix.of(type, randomMatrix(type, rows, cols, rnd), rows, cols);
    }

    /**
     * Checks {@link WeightMatrix#dot} and {@link WeightMatrix#dotReference} of every row against the
     * exact (double) dot of the reference-decoded row; returns failure descriptions.
     *
     * <p>Tolerance: summing n float products in any order errs by at most about n·u·Σ|w·x| (u =
     * 2^-24). The fast path also rounds each weight differently (fused multiply-adds, a scale times
     * a min precomputed), by a few ulps of |d·scale·q| and |dmin·min|, which random data keeps
     * within a small multiple of |w|; a factor of 4 covers it. A single wrong weight moves the
     * result by about Σ|w·x|/n, still ~15x more than this bound for n = 512.
     */
    static List<String> checkDots(WeightMatrix m, Random rnd) {
        int cols = m.cols();
        int xOff = 3;
        float[] x = randomVector(cols + xOff + 2, rnd);
        float[] w = new float[cols];
        List<String> failures = new ArrayList<>();
        for (int r = 0; r < m.rows(); r++) {
            m.dequantizeRow(r, w, 0);
            double exact = 0;
            double magnitude = 0;
            for (int i = 0; i < cols; i++) {
                exact += (double) w[i] * x[xOff + i];
                magnitude += Math.abs((double) w[i] * x[xOff + i]);
            }
            double tolerance = 4.0 * (cols + 16) * 0x1p-24 * magnitude;
            float fast = m.dot(r, x, xOff);
            float reference = m.dotReference(r, x, xOff);
            if (!(Math.abs(fast - exact) <= tolerance)) {
                failures.add(m.type() + " row " + r + ": dot " + fast + " vs exact " + exact + " (tolerance " + tolerance + ")");
            }
            if (!(Math.abs(reference - exact) <= tolerance)) {
                failures.add(m.type() + " row " + r + ": dotReference " + reference + " vs exact " + exact);
            }
        }
        return failures;
    }

    /** Batch sizes for the batch-invariance checks: one, each remainder of four, several groups. */
    static final int[] BATCHES = {1, 2, 3, 4, 5, 8, 13};

    /**
     * Checks that {@link WeightMatrix#matMul} of {@code batch} random vectors gives, for every row
     * and vector, exactly the bits of {@link WeightMatrix#dot} of that vector alone; returns
     * failure descriptions. Strides are padded past the row and column counts so that a wrong
     * offset reads or writes a different vector's values.
     */
    static List<String> checkMatMul(WeightMatrix m, int batch, Random rnd, ThreadPool pool) {
        int xStride = m.cols() + 5;
        int outStride = m.rows() + 3;
        float[] x = randomVector(xStride * batch, rnd);
        float[] out = new float[outStride * batch];
        java.util.Arrays.fill(out, Float.NaN);
        m.matMul(x, xStride, batch, out, outStride, pool);
        List<String> failures = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < m.rows(); r++) {
                float alone = m.dot(r, x, b * xStride);
                float batched = out[b * outStride + r];
                if (Float.floatToRawIntBits(alone) != Float.floatToRawIntBits(batched)) {
                    failures.add(m.type() + " batch of " + batch + ", vector " + b + ", row " + r + ": matMul "
                            + batched + " but dot " + alone);
                }
            }
            for (int pad = m.rows(); pad < outStride; pad++) {
                if (!Float.isNaN(out[b * outStride + pad])) {
                    failures.add(m.type() + " batch of " + batch + ", vector " + b + ": wrote past the last row, at "
                            + pad);
                }
            }
        }
        return failures;
    }
}
