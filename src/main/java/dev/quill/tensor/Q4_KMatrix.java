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
 * Q4_K: super-blocks of 256 values in 8 sub-blocks of 32. Layout: f16 {@code d}, f16
 * {@code dmin}, 12 bytes of 6-bit scales and mins ({@link KScales}), 128 bytes {@code qs}. Each
 * 64 values share 32 bytes of qs: values 0..31 in the low nibbles, 32..63 in the high ones.
 * value = d*scale*q - dmin*min.
 */
public final class Q4_KMatrix extends WeightMatrix {
    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 144;
    private static final int DMIN = 2;
    private static final int SCALES = 4;
    private static final int QS = 16;
    private static final int SUB = 32;

    public Q4_KMatrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
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
                int q = s % 2 == 0 ? packed & 0x0F : packed >>> 4;
                out[off + b * BLOCK + e] = scale * q - min;
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
            float d = Simd.half(data, block);
            float dmin = Simd.half(data, block + DMIN);
            int word2 = data.get(Simd.INT_LE, block + SCALES + 8);
            long scales = KScales.scales(data.get(Simd.INT_LE, block + SCALES), word2);
            long mins = KScales.mins(data.get(Simd.INT_LE, block + SCALES + 4), word2);
            // Sub-blocks 2*pair (low nibbles) and 2*pair+1 (high nibbles) share 32 bytes; one load
            // serves both. This body is near the size where C2 stops inlining vector calls (see
            // Simd), so adding to it needs a look at -XX:+PrintInlining.
            for (int pair = 0; pair < 4; pair++) {
                FloatVector scaleLow = FloatVector.broadcast(F, d * Simd.byteOf(scales, 2 * pair));
                FloatVector minLow = FloatVector.broadcast(F, -(dmin * Simd.byteOf(mins, 2 * pair)));
                FloatVector scaleHigh = FloatVector.broadcast(F, d * Simd.byteOf(scales, 2 * pair + 1));
                FloatVector minHigh = FloatVector.broadcast(F, -(dmin * Simd.byteOf(mins, 2 * pair + 1)));
                int xPair = xBlock + 64 * pair;
                for (int g = 0; g < 32; g += GROUP) {
                    ByteVector packed = Simd.loadGroup(data, block + QS + 32L * pair + g);
                    ByteVector low = Simd.lowNibbles(packed);
                    ByteVector high = Simd.highNibbles(packed);
                    for (int p = 0; p < PARTS; p++) {
                        int e = g + p * LANES;
                        accLow = Simd.toFloats(low, p).fma(scaleLow, minLow)
                                .fma(Simd.loadX(x, xPair + e), accLow);
                        accHigh = Simd.toFloats(high, p).fma(scaleHigh, minHigh)
                                .fma(Simd.loadX(x, xPair + SUB + e), accHigh);
                    }
                }
            }
        }
        return Simd.sumLanes(accLow.add(accHigh));
    }

    /**
     * {@link #dot} for up to four vectors at once: each group of nibbles is widened and scaled
     * once (the same fused scale-and-min as dot), then multiplied into every vector's low and
     * high accumulators in dot's order. With fewer than four vectors the last one is computed
     * again into the unused slots.
     */
    @Override
    protected boolean accumulateMany(int row, float[] x, int xOff, int xStride, int count, float[] laneSums) {
        int x0 = xOff;
        int x1 = xOff + xStride;
        int x2 = xOff + Math.min(2, count - 1) * xStride;
        int x3 = xOff + Math.min(3, count - 1) * xStride;
        long rowBase = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector low0 = FloatVector.zero(F);
        FloatVector low1 = FloatVector.zero(F);
        FloatVector low2 = FloatVector.zero(F);
        FloatVector low3 = FloatVector.zero(F);
        FloatVector high0 = FloatVector.zero(F);
        FloatVector high1 = FloatVector.zero(F);
        FloatVector high2 = FloatVector.zero(F);
        FloatVector high3 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            float d = Simd.half(data, block);
            float dmin = Simd.half(data, block + DMIN);
            int word2 = data.get(Simd.INT_LE, block + SCALES + 8);
            long scales = KScales.scales(data.get(Simd.INT_LE, block + SCALES), word2);
            long mins = KScales.mins(data.get(Simd.INT_LE, block + SCALES + 4), word2);
            for (int pair = 0; pair < 4; pair++) {
                FloatVector scaleLow = FloatVector.broadcast(F, d * Simd.byteOf(scales, 2 * pair));
                FloatVector minLow = FloatVector.broadcast(F, -(dmin * Simd.byteOf(mins, 2 * pair)));
                FloatVector scaleHigh = FloatVector.broadcast(F, d * Simd.byteOf(scales, 2 * pair + 1));
                FloatVector minHigh = FloatVector.broadcast(F, -(dmin * Simd.byteOf(mins, 2 * pair + 1)));
                int pairAt = b * BLOCK + 64 * pair;
                for (int g = 0; g < 32; g += GROUP) {
                    ByteVector packed = Simd.loadGroup(data, block + QS + 32L * pair + g);
                    ByteVector lowNibbles = Simd.lowNibbles(packed);
                    ByteVector highNibbles = Simd.highNibbles(packed);
                    for (int p = 0; p < PARTS; p++) {
                        FloatVector wLow = Simd.toFloats(lowNibbles, p).fma(scaleLow, minLow);
                        FloatVector wHigh = Simd.toFloats(highNibbles, p).fma(scaleHigh, minHigh);
                        int at = pairAt + g + p * LANES;
                        low0 = wLow.fma(Simd.loadX(x, x0 + at), low0);
                        high0 = wHigh.fma(Simd.loadX(x, x0 + at + SUB), high0);
                        low1 = wLow.fma(Simd.loadX(x, x1 + at), low1);
                        high1 = wHigh.fma(Simd.loadX(x, x1 + at + SUB), high1);
                        low2 = wLow.fma(Simd.loadX(x, x2 + at), low2);
                        high2 = wHigh.fma(Simd.loadX(x, x2 + at + SUB), high2);
                        low3 = wLow.fma(Simd.loadX(x, x3 + at), low3);
                        high3 = wHigh.fma(Simd.loadX(x, x3 + at + SUB), high3);
                    }
                }
            }
        }
        low0.add(high0).intoArray(laneSums, 0);
        low1.add(high1).intoArray(laneSums, LANES);
        low2.add(high2).intoArray(laneSums, 2 * LANES);
        low3.add(high3).intoArray(laneSums, 3 * LANES);
        return true;
    }

    /** Per-sub-block min/max fit ({@link KScales#fit}), then q = round((x + min) / step). */
    static void quantizeRow(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        int[] scales = new int[BLOCK / SUB];
        int[] mins = new int[BLOCK / SUB];
        for (int b = 0; b < n / BLOCK; b++) {
            int first = srcOff + b * BLOCK;
            long block = dstOff + (long) b * BLOCK_BYTES;
            float[] dAndMin = KScales.fit(src, first, BLOCK / SUB, SUB, 16, scales, mins);
            dst.set(Simd.SHORT_LE, block, Simd.toHalf(dAndMin[0]));
            dst.set(Simd.SHORT_LE, block + DMIN, Simd.toHalf(dAndMin[1]));
            KScales.pack(scales, mins, dst, block + SCALES);
            for (int pair = 0; pair < 4; pair++) {
                float stepLow = dAndMin[0] * scales[2 * pair];
                float offsetLow = dAndMin[1] * mins[2 * pair];
                float stepHigh = dAndMin[0] * scales[2 * pair + 1];
                float offsetHigh = dAndMin[1] * mins[2 * pair + 1];
                for (int i = 0; i < 32; i++) {
                    int low = level(src[first + 64 * pair + i], stepLow, offsetLow);
                    int high = level(src[first + 64 * pair + SUB + i], stepHigh, offsetHigh);
                    dst.set(ValueLayout.JAVA_BYTE, block + QS + 32L * pair + i, (byte) (low | high << 4));
                }
            }
        }
    }

    private static int level(float value, float step, float offset) {
        return step == 0f ? 0 : Math.clamp(Math.round((value + offset) / step), 0, 15);
    }
}
