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
 * Q3_K: super-blocks of 256 values in 16 sub-blocks of 16. Layout: 32 bytes {@code hmask}, 64
 * bytes {@code qs}, 12 bytes of 6-bit {@code scales}, f16 {@code d}. Value e has its low two bits
 * in byte {@code 32*(e/128) + e%32} of qs at bit {@code 2*((e%128)/32)} and its third bit in
 * {@code hmask[e%32]} at bit {@code e/32}; q = low - (third ? 0 : 4), in -4..3. Sub-block s has
 * scale {@code 6bit(s) - 32}: its low 4 bits are the low nibble of byte s (s < 8) or the high
 * nibble of byte s-8, its high 2 bits are bits {@code 2*(s/4)} of byte {@code 8 + s%4}. value =
 * d*scale*q.
 */
public final class Q3_KMatrix extends WeightMatrix {
    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 110;
    private static final int QS = 32;
    private static final int SCALES = 96;
    private static final int D = 108;
    private static final int SUB = 16;

    public Q3_KMatrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    private int byteAt(long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /** The signed scale of sub-block s, -32..31. */
    private int scale(long block, int s) {
        int low = s < 8 ? byteAt(block + SCALES + s) & 0x0F : byteAt(block + SCALES + s - 8) >>> 4;
        int high = (byteAt(block + SCALES + 8 + s % 4) >>> (2 * (s / 4))) & 3;
        return (low | high << 4) - 32;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long rowBase = row * rowBytes;
        for (int b = 0; b < cols / BLOCK; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            float d = Simd.half(data, block + D);
            for (int e = 0; e < BLOCK; e++) {
                float scale = d * scale(block, e / SUB);
                int within = e % 128;
                int low = (byteAt(block + QS + 32 * (e / 128) + within % 32) >>> (2 * (within / 32))) & 3;
                int third = (byteAt(block + e % 32) >>> (e / 32)) & 1;
                int q = low - (third == 1 ? 0 : 4);
                out[off + b * BLOCK + e] = scale * q;
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
            // The 16 six-bit scales rebuilt one per byte (plus 32): low nibbles from ints 0 and 1
            // of the field, high bit pairs from int 2.
            int low0 = data.get(Simd.INT_LE, block + SCALES);
            int low1 = data.get(Simd.INT_LE, block + SCALES + 4);
            int highs = data.get(Simd.INT_LE, block + SCALES + 8);
            long scales0to7 = (((low0 & 0x0F0F0F0F) | (highs & 0x03030303) << 4) & 0xFFFFFFFFL)
                    | (long) ((low1 & 0x0F0F0F0F) | ((highs >>> 2) & 0x03030303) << 4) << 32;
            long scales8to15 = ((((low0 >>> 4) & 0x0F0F0F0F) | ((highs >>> 4) & 0x03030303) << 4) & 0xFFFFFFFFL)
                    | (long) (((low1 >>> 4) & 0x0F0F0F0F) | ((highs >>> 6) & 0x03030303) << 4) << 32;
            for (int half = 0; half < 2; half++) {
                long scales = half == 0 ? scales0to7 : scales8to15;
                int xHalf = xBlock + 128 * half;
                for (int g = 0; g < 32; g += GROUP) {
                    ByteVector thirdBits = Simd.loadGroup(data, block + g);
                    ByteVector packed = Simd.loadGroup(data, block + QS + 32L * half + g);
                    // Shift j holds values 32j + g.. of this half: sub-block 2j + g/16, third bit
                    // 4*half + j. Kept rolled: C2 stops inlining vector calls in too big a graph.
                    for (int j = 0; j < 4; j++) {
                        FloatVector scale = FloatVector.broadcast(F, d * (Simd.byteOf(scales, 2 * j + g / SUB) - 32));
                        // Subtracting 4 where the third bit is clear gives q directly.
                        ByteVector q = Simd.shiftRightInBytes(packed, 2 * j).and((byte) 3)
                                .sub((byte) 4, Simd.bitClear(thirdBits, 4 * half + j));
                        for (int p = 0; p < PARTS; p++) {
                            acc = Simd.toFloats(q, p).mul(scale)
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
     * Per sub-block, the value of largest magnitude maps to q = -4; the super-block scale maps the
     * largest such step to -32, and each sub-block stores its step as a 6-bit multiple of it.
     */
    static void quantizeRow(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        float[] steps = new float[BLOCK / SUB];
        for (int b = 0; b < n / BLOCK; b++) {
            int first = srcOff + b * BLOCK;
            long block = dstOff + (long) b * BLOCK_BYTES;
            float largestStep = 0f;
            for (int s = 0; s < BLOCK / SUB; s++) {
                float extreme = 0f;
                for (int i = 0; i < SUB; i++) {
                    float v = src[first + s * SUB + i];
                    if (Math.abs(v) > Math.abs(extreme)) {
                        extreme = v;
                    }
                }
                steps[s] = extreme / -4f;
                if (Math.abs(steps[s]) > Math.abs(largestStep)) {
                    largestStep = steps[s];
                }
            }
            short dHalf = Simd.toHalf(largestStep / -32f);
            float d = Float.float16ToFloat(dHalf);
            dst.set(Simd.SHORT_LE, block + D, dHalf);
            dst.asSlice(block, SCALES + 12).fill((byte) 0);
            for (int s = 0; s < BLOCK / SUB; s++) {
                int scale = d == 0f ? 0 : Math.clamp(Math.round(steps[s] / d), -32, 31);
                int stored = scale + 32;
                long lowAt = block + SCALES + (s < 8 ? s : s - 8);
                int lowShift = s < 8 ? 0 : 4;
                orByte(dst, lowAt, (stored & 0x0F) << lowShift);
                orByte(dst, block + SCALES + 8 + s % 4, (stored >>> 4) << (2 * (s / 4)));
                float step = d * scale;
                for (int i = 0; i < SUB; i++) {
                    int e = s * SUB + i;
                    int q = step == 0f ? 0 : Math.clamp(Math.round(src[first + e] / step), -4, 3);
                    int biased = q + 4;
                    int within = e % 128;
                    orByte(dst, block + QS + 32 * (e / 128) + within % 32, (biased & 3) << (2 * (within / 32)));
                    orByte(dst, block + e % 32, (biased >>> 2) << (e / 32));
                }
            }
        }
    }

    private static void orByte(MemorySegment dst, long at, int bits) {
        dst.set(ValueLayout.JAVA_BYTE, at, (byte) (dst.get(ValueLayout.JAVA_BYTE, at) | bits));
    }
}
