package dev.quill.tensor;

import static dev.quill.tensor.Simd.F;
import static dev.quill.tensor.Simd.GROUP;
import static dev.quill.tensor.Simd.LANES;
import static dev.quill.tensor.Simd.PARTS;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0: blocks of 32 values, each an f16 scale {@code d} then 16 bytes of nibbles. Byte j holds
 * value j in its low nibble and value j+16 in its high nibble; value = (q - 8) * d.
 */
public final class Q4_0Matrix extends WeightMatrix {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 18;
    private static final int QS = 2;
    private static final int HALF = BLOCK / 2;

    public Q4_0Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long rowBase = row * rowBytes;
        for (int b = 0; b < cols / BLOCK; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            float d = Simd.half(data, block);
            int first = off + b * BLOCK;
            for (int j = 0; j < HALF; j++) {
                int packed = data.get(ValueLayout.JAVA_BYTE, block + QS + j) & 0xFF;
                out[first + j] = ((packed & 0x0F) - 8) * d;
                out[first + j + HALF] = ((packed >>> 4) - 8) * d;
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
            FloatVector blockSum = FloatVector.zero(F);
            for (int g = 0; g < HALF; g += GROUP) {
                ByteVector packed = Simd.loadGroup(data, block + QS + g);
                ByteVector low = Simd.lowNibbles(packed).sub((byte) 8);
                ByteVector high = Simd.highNibbles(packed).sub((byte) 8);
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

    /**
     * {@link #dot} for up to four vectors at once: each block's nibbles are widened once and
     * applied to all four, and each vector gets exactly dot's sequence (block sum from zero, low
     * then high part per group, times d into its accumulator). With fewer than four vectors the
     * last one is computed again into the unused slots.
     */
    @Override
    protected boolean accumulateMany(int row, float[] x, int xOff, int xStride, int count, float[] laneSums) {
        int x0 = xOff;
        int x1 = xOff + xStride;
        int x2 = xOff + Math.min(2, count - 1) * xStride;
        int x3 = xOff + Math.min(3, count - 1) * xStride;
        long block = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        for (int b = 0, e = 0; b < blocks; b++, block += BLOCK_BYTES, e += BLOCK) {
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = FloatVector.zero(F);
            FloatVector s2 = FloatVector.zero(F);
            FloatVector s3 = FloatVector.zero(F);
            for (int g = 0; g < HALF; g += GROUP) {
                ByteVector packed = Simd.loadGroup(data, block + QS + g);
                ByteVector low = Simd.lowNibbles(packed).sub((byte) 8);
                ByteVector high = Simd.highNibbles(packed).sub((byte) 8);
                for (int p = 0; p < PARTS; p++) {
                    FloatVector lo = Simd.toFloats(low, p);
                    FloatVector hi = Simd.toFloats(high, p);
                    int at = e + g + p * LANES;
                    s0 = hi.fma(Simd.loadX(x, x0 + at + HALF), lo.fma(Simd.loadX(x, x0 + at), s0));
                    s1 = hi.fma(Simd.loadX(x, x1 + at + HALF), lo.fma(Simd.loadX(x, x1 + at), s1));
                    s2 = hi.fma(Simd.loadX(x, x2 + at + HALF), lo.fma(Simd.loadX(x, x2 + at), s2));
                    s3 = hi.fma(Simd.loadX(x, x3 + at + HALF), lo.fma(Simd.loadX(x, x3 + at), s3));
                }
            }
            FloatVector d = FloatVector.broadcast(F, Simd.half(data, block));
            acc0 = s0.fma(d, acc0);
            acc1 = s1.fma(d, acc1);
            acc2 = s2.fma(d, acc2);
            acc3 = s3.fma(d, acc3);
        }
        acc0.intoArray(laneSums, 0);
        acc1.intoArray(laneSums, LANES);
        acc2.intoArray(laneSums, 2 * LANES);
        acc3.intoArray(laneSums, 3 * LANES);
        return true;
    }

    /**
     * The value of largest magnitude maps to -8 (so d may be negative), which uses the full
     * -8..7 range on the side that needs it; others round to nearest.
     */
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
            short dHalf = Simd.toHalf(extreme / -8f);
            float d = Float.float16ToFloat(dHalf);
            float inverse = d == 0f ? 0f : 1f / d;
            dst.set(Simd.SHORT_LE, block, dHalf);
            for (int j = 0; j < HALF; j++) {
                int low = Math.clamp(Math.round(src[first + j] * inverse) + 8, 0, 15);
                int high = Math.clamp(Math.round(src[first + j + HALF] * inverse) + 8, 0, 15);
                dst.set(ValueLayout.JAVA_BYTE, block + QS + j, (byte) (low | high << 4));
            }
        }
    }
}
