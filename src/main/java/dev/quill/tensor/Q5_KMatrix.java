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
 * Q5_K: super-blocks of 256 values in 8 sub-blocks of 32. Layout: f16 {@code d}, f16
 * {@code dmin}, 12 bytes of 6-bit scales and mins ({@link KScales}), 32 bytes {@code qh}, 128
 * bytes {@code qs}. The low four bits are laid out as in Q4_K; the fifth bit of value e is bit
 * {@code e/32} of {@code qh[e%32]}. value = d*scale*q - dmin*min.
 */
public final class Q5_KMatrix extends WeightMatrix {
    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 176;
    private static final int DMIN = 2;
    private static final int SCALES = 4;
    private static final int QH = 16;
    private static final int QS = 48;
    private static final int SUB = 32;

    public Q5_KMatrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long rowBase = row * rowBytes;
        for (int b = 0; b < cols / BLOCK; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            float d = Simd.half(data, block);
            float dmin = Simd.half(data, block + DMIN);
            for (int e = 0; e < BLOCK; e++) {
                int s = e / SUB;
                float scale = d * KScales.scale(data, block + SCALES, s);
                float min = dmin * KScales.min(data, block + SCALES, s);
                int packed = data.get(ValueLayout.JAVA_BYTE, block + QS + 32 * (e / 64) + e % 32) & 0xFF;
                int low = s % 2 == 0 ? packed & 0x0F : packed >>> 4;
                int fifth = (data.get(ValueLayout.JAVA_BYTE, block + QH + e % 32) >>> (e / 32)) & 1;
                int q = low | fifth << 4;
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
            float d = Simd.half(data, block);
            float dmin = Simd.half(data, block + DMIN);
            int word2 = data.get(Simd.INT_LE, block + SCALES + 8);
            long scales = KScales.scales(data.get(Simd.INT_LE, block + SCALES), word2);
            long mins = KScales.mins(data.get(Simd.INT_LE, block + SCALES + 4), word2);
            // One sub-block per iteration, kept rolled: C2 stops inlining vector calls in a method
            // whose parsed graph grows too big. Sub-block s is in the low (even s) or high (odd s)
            // nibbles of the 32 bytes at 32*(s/2), its fifth bits at bit s of qh.
            for (int s = 0; s < BLOCK / SUB; s++) {
                FloatVector scale = FloatVector.broadcast(F, d * Simd.byteOf(scales, s));
                FloatVector negMin = FloatVector.broadcast(F, -(dmin * Simd.byteOf(mins, s)));
                long qs = block + QS + 32L * (s >> 1);
                int nibbleShift = 4 * (s & 1);
                int xSub = xBlock + SUB * s;
                for (int g = 0; g < SUB; g += GROUP) {
                    ByteVector fifthBits = Simd.loadGroup(data, block + QH + g);
                    ByteVector q = Simd.shiftRightInBytes(Simd.loadGroup(data, qs + g), nibbleShift).and((byte) 0x0F)
                            .add((byte) 16, Simd.bitSet(fifthBits, s));
                    for (int p = 0; p < PARTS; p++) {
                        acc = Simd.toFloats(q, p).fma(scale, negMin).fma(Simd.loadX(x, xSub + g + p * LANES), acc);
                    }
                    // Alternate two accumulators so consecutive fmas do not wait on each other.
                    FloatVector swap = acc;
                    acc = other;
                    other = swap;
                }
            }
        }
        return Simd.sumLanes(acc.add(other));
    }

    /** Per-sub-block min/max fit ({@link KScales#fit}), then q = round((x + min) / step). */
    static void quantizeRow(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        int[] scales = new int[BLOCK / SUB];
        int[] mins = new int[BLOCK / SUB];
        for (int b = 0; b < n / BLOCK; b++) {
            int first = srcOff + b * BLOCK;
            long block = dstOff + (long) b * BLOCK_BYTES;
            float[] dAndMin = KScales.fit(src, first, BLOCK / SUB, SUB, 32, scales, mins);
            dst.set(Simd.SHORT_LE, block, Simd.toHalf(dAndMin[0]));
            dst.set(Simd.SHORT_LE, block + DMIN, Simd.toHalf(dAndMin[1]));
            KScales.pack(scales, mins, dst, block + SCALES);
            dst.asSlice(block + QH, 32).fill((byte) 0);
            for (int e = 0; e < BLOCK; e++) {
                int s = e / SUB;
                float step = dAndMin[0] * scales[s];
                float offset = dAndMin[1] * mins[s];
                int q = step == 0f ? 0 : Math.clamp(Math.round((src[first + e] + offset) / step), 0, 31);
                long qsAt = block + QS + 32 * (e / 64) + e % 32;
                int shift = s % 2 == 0 ? 0 : 4;
                byte old = dst.get(ValueLayout.JAVA_BYTE, qsAt);
                dst.set(ValueLayout.JAVA_BYTE, qsAt, (byte) ((s % 2 == 0 ? 0 : old) | (q & 0x0F) << shift));
                long qhAt = block + QH + e % 32;
                dst.set(ValueLayout.JAVA_BYTE, qhAt, (byte) (dst.get(ValueLayout.JAVA_BYTE, qhAt) | (q >>> 4) << (e / 32)));
            }
        }
    }
}
