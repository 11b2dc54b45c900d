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
 * Q6_K: super-blocks of 256 values in 16 sub-blocks of 16. Layout: 128 bytes {@code ql} (low 4
 * bits), 64 bytes {@code qh} (high 2 bits), 16 signed bytes {@code scales}, f16 {@code d}. Within
 * each half of 128 values, quarter k (values 32k..32k+31, position l) takes its low bits from
 * {@code ql[64*half + l + 32*(k%2)]} (low nibble for k < 2, high for k >= 2) and its high bits from
 * bits {@code 2k..2k+1} of {@code qh[32*half + l]}; q = bits - 32, value = d*scales[e/16]*q.
 */
public final class Q6_KMatrix extends WeightMatrix {
    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 210;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;
    private static final int SUB = 16;

    public Q6_KMatrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long rowBase = row * rowBytes;
        for (int b = 0; b < cols / BLOCK; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            float d = Simd.half(data, block + D);
            for (int e = 0; e < BLOCK; e++) {
                float scale = d * data.get(ValueLayout.JAVA_BYTE, block + SCALES + e / SUB);
                int half = e / 128;
                int quarter = (e % 128) / 32;
                int l = e % 32;
                int lowByte = data.get(ValueLayout.JAVA_BYTE, block + 64 * half + l + 32 * (quarter % 2)) & 0xFF;
                int low = quarter < 2 ? lowByte & 0x0F : lowByte >>> 4;
                int high = (data.get(ValueLayout.JAVA_BYTE, block + QH + 32 * half + l) >>> (2 * quarter)) & 3;
                int q = (low | high << 4) - 32;
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
            for (int half = 0; half < 2; half++) {
                long scales = data.get(Simd.LONG_LE, block + SCALES + 8L * half);
                long lowBase = block + 64L * half;
                int xHalf = xBlock + 128 * half;
                for (int g = 0; g < 32; g += GROUP) {
                    ByteVector highBits = Simd.loadGroup(data, block + QH + 32L * half + g);
                    // One quarter per iteration, kept rolled: C2 stops inlining vector calls in a
                    // method whose parsed graph grows too big, and an unrolled body gets there.
                    for (int k = 0; k < 4; k++) {
                        ByteVector lowBytes = Simd.loadGroup(data, lowBase + 32 * (k & 1) + g);
                        ByteVector q = sixBits(lowBytes, 4 * (k >> 1), highBits, 2 * k);
                        // Quarter k, values g.. of it: sub-block 2k + g/16 of this half; int8 scales.
                        FloatVector scale = FloatVector.broadcast(F, d * (byte) Simd.byteOf(scales, 2 * k + g / SUB));
                        for (int p = 0; p < PARTS; p++) {
                            acc = Simd.toFloats(q, p).mul(scale).fma(Simd.loadX(x, xHalf + 32 * k + g + p * LANES), acc);
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
     * {@link #dot} for up to four vectors at once: each quarter's 6-bit values are assembled and
     * scaled once, then multiplied into every vector's accumulator pair, alternating exactly as
     * dot does. With fewer than four vectors the last one is computed again into the unused slots.
     */
    @Override
    protected boolean accumulateMany(int row, float[] x, int xOff, int xStride, int count, float[] laneSums) {
        int x0 = xOff;
        int x1 = xOff + xStride;
        int x2 = xOff + Math.min(2, count - 1) * xStride;
        int x3 = xOff + Math.min(3, count - 1) * xStride;
        long rowBase = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        FloatVector other0 = FloatVector.zero(F);
        FloatVector other1 = FloatVector.zero(F);
        FloatVector other2 = FloatVector.zero(F);
        FloatVector other3 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            float d = Simd.half(data, block + D);
            for (int half = 0; half < 2; half++) {
                long scales = data.get(Simd.LONG_LE, block + SCALES + 8L * half);
                long lowBase = block + 64L * half;
                int halfAt = b * BLOCK + 128 * half;
                for (int g = 0; g < 32; g += GROUP) {
                    ByteVector highBits = Simd.loadGroup(data, block + QH + 32L * half + g);
                    for (int k = 0; k < 4; k++) {
                        ByteVector lowBytes = Simd.loadGroup(data, lowBase + 32 * (k & 1) + g);
                        ByteVector q = sixBits(lowBytes, 4 * (k >> 1), highBits, 2 * k);
                        FloatVector scale = FloatVector.broadcast(F, d * (byte) Simd.byteOf(scales, 2 * k + g / SUB));
                        for (int p = 0; p < PARTS; p++) {
                            FloatVector w = Simd.toFloats(q, p).mul(scale);
                            int at = halfAt + 32 * k + g + p * LANES;
                            acc0 = w.fma(Simd.loadX(x, x0 + at), acc0);
                            acc1 = w.fma(Simd.loadX(x, x1 + at), acc1);
                            acc2 = w.fma(Simd.loadX(x, x2 + at), acc2);
                            acc3 = w.fma(Simd.loadX(x, x3 + at), acc3);
                        }
                        FloatVector swap0 = acc0;
                        FloatVector swap1 = acc1;
                        FloatVector swap2 = acc2;
                        FloatVector swap3 = acc3;
                        acc0 = other0;
                        acc1 = other1;
                        acc2 = other2;
                        acc3 = other3;
                        other0 = swap0;
                        other1 = swap1;
                        other2 = swap2;
                        other3 = swap3;
                    }
                }
            }
        }
        acc0.add(other0).intoArray(laneSums, 0);
        acc1.add(other1).intoArray(laneSums, LANES);
        acc2.add(other2).intoArray(laneSums, 2 * LANES);
        acc3.add(other3).intoArray(laneSums, 3 * LANES);
        return true;
    }

    /**
     * Signed 6-bit values of one quarter: the nibble at {@code nibbleShift} (0 or 4) of the low
     * bytes, with bits {@code highShift..highShift+1} of the high bytes on top, less 32.
     */
    private static ByteVector sixBits(ByteVector lowBytes, int nibbleShift, ByteVector highBits, int highShift) {
        ByteVector low = Simd.shiftRightInBytes(lowBytes, nibbleShift).and((byte) 0x0F);
        // Masking to 2 bits before shifting left keeps each byte's bits out of its neighbour.
        ByteVector high = Simd.shiftLeftInBytes(Simd.shiftRightInBytes(highBits, highShift).and((byte) 3), 4);
        return low.or(high).sub((byte) 32);
    }

    /**
     * Per sub-block, the value of largest magnitude maps to q = -32; the super-block scale maps the
     * largest such step to -128, and each sub-block stores its step as an int8 multiple of it.
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
                steps[s] = extreme / -32f;
                if (Math.abs(steps[s]) > Math.abs(largestStep)) {
                    largestStep = steps[s];
                }
            }
            short dHalf = Simd.toHalf(largestStep / -128f);
            float d = Float.float16ToFloat(dHalf);
            dst.set(Simd.SHORT_LE, block + D, dHalf);
            dst.asSlice(block, SCALES).fill((byte) 0);
            for (int s = 0; s < BLOCK / SUB; s++) {
                int scale = d == 0f ? 0 : Math.clamp(Math.round(steps[s] / d), -128, 127);
                dst.set(ValueLayout.JAVA_BYTE, block + SCALES + s, (byte) scale);
                float step = d * scale;
                for (int i = 0; i < SUB; i++) {
                    int e = s * SUB + i;
                    int q = step == 0f ? 0 : Math.clamp(Math.round(src[first + e] / step), -32, 31);
                    int biased = q + 32;
                    int half = e / 128;
                    int quarter = (e % 128) / 32;
                    int l = e % 32;
                    long lowAt = block + 64 * half + l + 32 * (quarter % 2);
                    orByte(dst, lowAt, (biased & 0x0F) << (quarter < 2 ? 0 : 4));
                    orByte(dst, block + QH + 32 * half + l, (biased >>> 4) << (2 * quarter));
                }
            }
        }
    }

    private static void orByte(MemorySegment dst, long at, int bits) {
        dst.set(ValueLayout.JAVA_BYTE, at, (byte) (dst.get(ValueLayout.JAVA_BYTE, at) | bits));
    }
}
