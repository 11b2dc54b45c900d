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
 * Q5_1: blocks of 32 values, each an f16 scale {@code d}, an f16 offset {@code m}, a
 * little-endian 32-bit word {@code qh} whose bit i is the fifth bit of value i, then 16 bytes of
 * low nibbles laid out as in Q4_0; value = q * d + m.
 */
public final class Q5_1Matrix extends WeightMatrix {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 24;
    private static final int MIN = 2;
    private static final int QH = 4;
    private static final int QS = 8;
    private static final int HALF = BLOCK / 2;

    public Q5_1Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long rowBase = row * rowBytes;
        for (int b = 0; b < cols / BLOCK; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            float d = Simd.half(data, block);
            float m = Simd.half(data, block + MIN);
            int highBits = data.get(Simd.INT_LE, block + QH);
            int first = off + b * BLOCK;
            for (int j = 0; j < HALF; j++) {
                int packed = data.get(ValueLayout.JAVA_BYTE, block + QS + j) & 0xFF;
                int low = (packed & 0x0F) | ((highBits >>> j) & 1) << 4;
                int high = (packed >>> 4) | ((highBits >>> (j + HALF)) & 1) << 4;
                out[first + j] = low * d + m;
                out[first + j + HALF] = high * d + m;
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
            int highBits = data.get(Simd.INT_LE, block + QH);
            for (int g = 0; g < HALF; g += GROUP) {
                ByteVector packed = Simd.loadGroup(data, block + QS + g);
                // The fifth bit comes from qh as a lane mask; adding 16 where set sets it.
                ByteVector low = Simd.lowNibbles(packed).add((byte) 16, Simd.maskOfBits(highBits >>> g));
                ByteVector high = Simd.highNibbles(packed)
                        .add((byte) 16, Simd.maskOfBits(highBits >>> (HALF + g)));
                for (int p = 0; p < PARTS; p++) {
                    int e = g + p * LANES;
                    accLow = Simd.toFloats(low, p).fma(d, m).fma(Simd.loadX(x, xBlock + e), accLow);
                    accHigh = Simd.toFloats(high, p).fma(d, m).fma(Simd.loadX(x, xBlock + HALF + e), accHigh);
                }
            }
        }
        return Simd.sumLanes(accLow.add(accHigh));
    }

    /** m = min, d = (max - min) / 31 (both as stored in halves), q = round((x - m) / d). */
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
            short dHalf = Simd.toHalf((max - min) / 31f);
            float m = Float.float16ToFloat(mHalf);
            float d = Float.float16ToFloat(dHalf);
            float inverse = d == 0f ? 0f : 1f / d;
            dst.set(Simd.SHORT_LE, block, dHalf);
            dst.set(Simd.SHORT_LE, block + MIN, mHalf);
            int highBits = 0;
            for (int j = 0; j < HALF; j++) {
                int low = Math.clamp(Math.round((src[first + j] - m) * inverse), 0, 31);
                int high = Math.clamp(Math.round((src[first + j + HALF] - m) * inverse), 0, 31);
                dst.set(ValueLayout.JAVA_BYTE, block + QS + j, (byte) ((low & 0x0F) | (high & 0x0F) << 4));
                highBits |= (low >>> 4) << j | (high >>> 4) << (j + HALF);
            }
            dst.set(Simd.INT_LE, block + QH, highBits);
        }
    }
}
