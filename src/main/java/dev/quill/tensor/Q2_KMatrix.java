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
 * Q2_K: super-blocks of 256 values in 16 sub-blocks of 16. Layout: 16 bytes {@code scales}
 * (sub-block s: low nibble scale, high nibble min), 64 bytes {@code qs} of 2-bit values, f16
 * {@code d}, f16 {@code dmin}. Value e sits in byte {@code 32*(e/128) + e%32} of qs at bit
 * {@code 2*((e%128)/32)}; value = d*scale*q - dmin*min.
 */
public final class Q2_KMatrix extends WeightMatrix {
    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 84;
    private static final int QS = 16;
    private static final int D = 80;
    private static final int DMIN = 82;
    private static final int SUB = 16;

    public Q2_KMatrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long rowBase = row * rowBytes;
        for (int b = 0; b < cols / BLOCK; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            float d = Simd.half(data, block + D);
            float dmin = Simd.half(data, block + DMIN);
            for (int e = 0; e < BLOCK; e++) {
                int scaleAndMin = data.get(ValueLayout.JAVA_BYTE, block + e / SUB) & 0xFF;
                float scale = d * (scaleAndMin & 0x0F);
                float min = dmin * (scaleAndMin >>> 4);
                int within = e % 128;
                int packed = data.get(ValueLayout.JAVA_BYTE, block + QS + 32 * (e / 128) + within % 32) & 0xFF;
                int q = (packed >>> (2 * (within / 32))) & 3;
                out[off + b * BLOCK + e] = scale * q - min;
            }
        }
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long rowBase = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector acc = FloatVector.zero(F);
        FloatVector other = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            int xBlock = xOff + b * BLOCK;
            float d = Simd.half(data, block + D);
            float dmin = Simd.half(data, block + DMIN);
            for (int half = 0; half < 2; half++) {
                // Scale bytes of sub-blocks 8*half .. 8*half+7, one per byte.
                long scales = data.get(Simd.LONG_LE, block + 8L * half);
                int xHalf = xBlock + 128 * half;
                for (int g = 0; g < 32; g += GROUP) {
                    ByteVector packed = Simd.loadGroup(data, block + QS + 32L * half + g);
                    // Shift j holds values 32j + g.. of this half, in sub-block 2j + g/16. The loop
                    // stays rolled: C2 stops inlining vector calls once a method's graph is big.
                    for (int j = 0; j < 4; j++) {
                        int scaleAndMin = Simd.byteOf(scales, 2 * j + g / SUB);
                        FloatVector scale = FloatVector.broadcast(F, d * (scaleAndMin & 0x0F));
                        FloatVector negMin = FloatVector.broadcast(F, -(dmin * (scaleAndMin >>> 4)));
                        ByteVector q = Simd.shiftRightInBytes(packed, 2 * j).and((byte) 3);
                        for (int p = 0; p < PARTS; p++) {
                            acc = Simd.toFloats(q, p).fma(scale, negMin)
                                    .fma(Simd.loadX(x, xHalf + 32 * j + g + p * LANES), acc);
                        }
                        // Alternate two accumulators so consecutive fmas do not wait on each other.
                        FloatVector swap = acc;
                        acc = other;
                        other = swap;
                    }
                }
            }
        }
        return Simd.sumLanes(acc.add(other));
    }

    /**
     * Per sub-block: an offset that brings its minimum to zero (the format can only subtract) and a
     * step spanning the rest in 3 levels; the super-block halves hold the largest of each, and each
     * sub-block stores its own as 4-bit multiples of them.
     */
    static void quantizeRow(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        float[] steps = new float[BLOCK / SUB];
        float[] offsets = new float[BLOCK / SUB];
        for (int b = 0; b < n / BLOCK; b++) {
            int first = srcOff + b * BLOCK;
            long block = dstOff + (long) b * BLOCK_BYTES;
            float maxStep = 0f;
            float maxOffset = 0f;
            for (int s = 0; s < BLOCK / SUB; s++) {
                float min = Float.POSITIVE_INFINITY;
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < SUB; i++) {
                    min = Math.min(min, src[first + s * SUB + i]);
                    max = Math.max(max, src[first + s * SUB + i]);
                }
                offsets[s] = Math.max(0f, -min);
                steps[s] = Math.max(0f, max + offsets[s]) / 3f;
                maxStep = Math.max(maxStep, steps[s]);
                maxOffset = Math.max(maxOffset, offsets[s]);
            }
            short dHalf = Simd.toHalf(maxStep / 15f);
            short dminHalf = Simd.toHalf(maxOffset / 15f);
            float d = Float.float16ToFloat(dHalf);
            float dmin = Float.float16ToFloat(dminHalf);
            dst.set(Simd.SHORT_LE, block + D, dHalf);
            dst.set(Simd.SHORT_LE, block + DMIN, dminHalf);
            dst.asSlice(block + QS, 64).fill((byte) 0);
            for (int s = 0; s < BLOCK / SUB; s++) {
                int scale = d == 0f ? 0 : Math.clamp(Math.round(steps[s] / d), 0, 15);
                int min = dmin == 0f ? 0 : Math.clamp(Math.round(offsets[s] / dmin), 0, 15);
                dst.set(ValueLayout.JAVA_BYTE, block + s, (byte) (scale | min << 4));
                float step = d * scale;
                float offset = dmin * min;
                for (int i = 0; i < SUB; i++) {
                    int e = s * SUB + i;
                    int q = step == 0f ? 0 : Math.clamp(Math.round((src[first + e] + offset) / step), 0, 3);
                    int within = e % 128;
                    long at = block + QS + 32 * (e / 128) + within % 32;
                    byte old = dst.get(ValueLayout.JAVA_BYTE, at);
                    dst.set(ValueLayout.JAVA_BYTE, at, (byte) (old | q << (2 * (within / 32))));
                }
            }
        }
    }
}
