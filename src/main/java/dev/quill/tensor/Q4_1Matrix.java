package dev.quill.tensor;

import static dev.quill.tensor.Simd.F;
import static dev.quill.tensor.Simd.GROUP;
import static dev.quill.tensor.Simd.LANES;
import static dev.quill.tensor.Simd.PARTS;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

/**
 * Q4_1: blocks of 32 values, each an f16 scale {@code d}, an f16 offset {@code m}, then 16 bytes
 * of nibbles laid out as in Q4_0 (low nibbles 0..15, high nibbles 16..31); value = q * d + m.
 */
public final class Q4_1Matrix extends WeightMatrix {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 20;
    private static final int MIN = 2;
    private static final int QS = 4;
    private static final int HALF = BLOCK / 2;

    public Q4_1Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long rowBase = row * rowBytes;
        for (int b = 0; b < cols / BLOCK; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            float d = Simd.half(data, block);
            float m = Simd.half(data, block + MIN);
            int first = off + b * BLOCK;
            for (int j = 0; j < HALF; j++) {
                int packed = data.get(ValueLayout.JAVA_BYTE, block + QS + j) & 0xFF;
                out[first + j] = (packed & 0x0F) * d + m;
                out[first + j + HALF] = (packed >>> 4) * d + m;
            }
        }
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long rowBase = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector accLow = FloatVector.zero(F);
        FloatVector accHigh = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            int xBlock = xOff + b * BLOCK;
            FloatVector d = FloatVector.broadcast(F, Simd.half(data, block));
            FloatVector m = FloatVector.broadcast(F, Simd.half(data, block + MIN));
            for (int g = 0; g < HALF; g += GROUP) {
                ByteVector packed = Simd.loadGroup(data, block + QS + g);
                ByteVector low = Simd.lowNibbles(packed);
                ByteVector high = Simd.highNibbles(packed);
                for (int p = 0; p < PARTS; p++) {
                    int e = g + p * LANES;
                    // Dequantize with one fma, then accumulate: two chains hide fma latency.
                    accLow = Simd.toFloats(low, p).fma(d, m).fma(Simd.loadX(x, xBlock + e), accLow);
                    accHigh = Simd.toFloats(high, p).fma(d, m).fma(Simd.loadX(x, xBlock + HALF + e), accHigh);
                }
            }
        }
        return Simd.sumLanes(accLow.add(accHigh));
    }

    /** m = min, d = (max - min) / 15 (both as stored in halves), q = round((x - m) / d). */
    static void quantizeRow(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int first = srcOff + b * BLOCK;
            long block = dstOff + (long) b * BLOCK_BYTES;
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < BLOCK; i++) {
                min = Math.min(min, src[first + i]);
                max = Math.max(max, src[first + i]);
            }
            short mHalf = Simd.toHalf(min);
            short dHalf = Simd.toHalf((max - min) / 15f);
            float m = Float.float16ToFloat(mHalf);
            float d = Float.float16ToFloat(dHalf);
            float inverse = d == 0f ? 0f : 1f / d;
            dst.set(Simd.SHORT_LE, block, dHalf);
            dst.set(Simd.SHORT_LE, block + MIN, mHalf);
            for (int j = 0; j < HALF; j++) {
                int low = Math.clamp(Math.round((src[first + j] - m) * inverse), 0, 15);
                int high = Math.clamp(Math.round((src[first + j + HALF] - m) * inverse), 0, 15);
                dst.set(ValueLayout.JAVA_BYTE, block + QS + j, (byte) (low | high << 4));
            }
        }
    }
}
