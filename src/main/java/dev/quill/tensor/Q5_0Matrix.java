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
 * Q5_0: blocks of 32 values, each an f16 scale {@code d}, a little-endian 32-bit word {@code qh}
 * whose bit i is the fifth bit of value i, then 16 bytes of low nibbles laid out as in Q4_0;
 * value = (q - 16) * d.
 */
public final class Q5_0Matrix extends WeightMatrix {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 22;
    private static final int QH = 2;
    private static final int QS = 6;
    private static final int HALF = BLOCK / 2;

    public Q5_0Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long rowBase = row * rowBytes;
        for (int b = 0; b < cols / BLOCK; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            float d = Simd.half(data, block);
            int highBits = data.get(Simd.INT_LE, block + QH);
            int first = off + b * BLOCK;
            for (int j = 0; j < HALF; j++) {
                int packed = data.get(ValueLayout.JAVA_BYTE, block + QS + j) & 0xFF;
                int low = (packed & 0x0F) | ((highBits >>> j) & 1) << 4;
                int high = (packed >>> 4) | ((highBits >>> (j + HALF)) & 1) << 4;
                out[first + j] = (low - 16) * d;
                out[first + j + HALF] = (high - 16) * d;
            }
        }
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long rowBase = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            int xBlock = xOff + b * BLOCK;
            int highBits = data.get(Simd.INT_LE, block + QH);
            FloatVector blockSum = FloatVector.zero(F);
            for (int g = 0; g < HALF; g += GROUP) {
                ByteVector packed = Simd.loadGroup(data, block + QS + g);
                // (nibble | fifth << 4) - 16 is the nibble less 16 where the fifth bit is clear:
                // one masked subtract, the mask taken straight from the inverted qh bits.
                ByteVector low = Simd.lowNibbles(packed).sub((byte) 16, Simd.maskOfBits(~highBits >>> g));
                ByteVector high = Simd.highNibbles(packed)
                        .sub((byte) 16, Simd.maskOfBits(~highBits >>> (HALF + g)));
                for (int p = 0; p < PARTS; p++) {
                    int e = g + p * LANES;
                    blockSum = Simd.toFloats(low, p).fma(Simd.loadX(x, xBlock + e), blockSum);
                    blockSum = Simd.toFloats(high, p).fma(Simd.loadX(x, xBlock + HALF + e), blockSum);
                }
            }
            acc = blockSum.fma(FloatVector.broadcast(F, Simd.half(data, block)), acc);
        }
        return Simd.sumLanes(acc);
    }

    /** As Q4_0 with 32 levels: the value of largest magnitude maps to -16. */
    static void quantizeRow(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int first = srcOff + b * BLOCK;
            long block = dstOff + (long) b * BLOCK_BYTES;
            float extreme = 0f;
            for (int i = 0; i < BLOCK; i++) {
                if (Math.abs(src[first + i]) > Math.abs(extreme)) {
                    extreme = src[first + i];
                }
            }
            short dHalf = Simd.toHalf(extreme / -16f);
            float d = Float.float16ToFloat(dHalf);
            float inverse = d == 0f ? 0f : 1f / d;
            dst.set(Simd.SHORT_LE, block, dHalf);
            int highBits = 0;
            for (int j = 0; j < HALF; j++) {
                int low = Math.clamp(Math.round(src[first + j] * inverse) + 16, 0, 31);
                int high = Math.clamp(Math.round(src[first + j + HALF] * inverse) + 16, 0, 31);
                dst.set(ValueLayout.JAVA_BYTE, block + QS + j, (byte) ((low & 0x0F) | (high & 0x0F) << 4));
                highBits |= (low >>> 4) << j | (high >>> 4) << (j + HALF);
            }
            dst.set(Simd.INT_LE, block + QH, highBits);
        }
    }
}
