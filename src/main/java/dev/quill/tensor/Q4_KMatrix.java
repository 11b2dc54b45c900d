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

    /**
     * {@code LEVELS[i] == i}: the dot reads a 6-bit scale's float from here instead of converting
     * the int (a GPR-to-vector move and a conversion per scale, eight scales and eight mins per
     * 256 values); the same value, so the same bits. Single-thread 2048x2048 mat-vec
     * ({@code DotBench}, alternating JVMs): 10.5-11.3 to 10.9-12.3 G weights/s, faster in all 22
     * pairs where neither run fell in one of the machine's slow phases.
     */
    private static final float[] LEVELS = new float[256];

    static {
        for (int i = 0; i < LEVELS.length; i++) {
            LEVELS[i] = i;
        }
    }

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

    /**
     * Fused decode and multiply by {@link TiledMatMul}'s contract: each chunk's weights
     * d*scale*q - dmin*min (one rounding) times x into alternating accumulators, a pair's low
     * sub-block before its high one.
     */
    @Override
    public float dot(int row, float[] x, int xOff) {
        long block = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector acc = FloatVector.zero(F);
        FloatVector other = FloatVector.zero(F);
        for (int b = 0, xb = xOff; b < blocks; b++, block += BLOCK_BYTES, xb += BLOCK) {
            float d = Simd.half(data, block);
            float dmin = Simd.half(data, block + DMIN);
            int word2 = data.get(Simd.INT_LE, block + SCALES + 8);
            long scales = KScales.scales(data.get(Simd.INT_LE, block + SCALES), word2);
            long mins = KScales.mins(data.get(Simd.INT_LE, block + SCALES + 4), word2);
            // Sub-block s uses the low nibbles of its pair's 32 bytes when even, the high ones when
            // odd. This body is near the size where C2 stops inlining vector calls (see Simd), so
            // adding to it needs a look at -XX:+PrintInlining.
            for (int s = 0; s < 8; s++) {
                FloatVector scale = FloatVector.broadcast(F, d * LEVELS[Simd.byteOf(scales, s)]);
                FloatVector min = FloatVector.broadcast(F, -(dmin * LEVELS[Simd.byteOf(mins, s)]));
                int shift = 4 * (s & 1);
                long bytes = block + QS + 32L * (s >> 1);
                int xSub = xb + SUB * s;
                // 32 values: an even number of chunks, whose pairs go to (acc, other) in turn.
                for (int e = 0; e < SUB; e += 2 * LANES) {
                    acc = nibbles(bytes, e, shift).fma(scale, min).fma(Simd.loadX(x, xSub + e), acc);
                    other = nibbles(bytes, e + LANES, shift).fma(scale, min).fma(Simd.loadX(x, xSub + e + LANES), other);
                }
            }
        }
        return Simd.sumLanes(acc.add(other));
    }

    /**
     * Weights are d*scale*q - dmin*min with one rounding (the product is exact), as {@link #dot}
     * computes them; dot already runs in the contract's order (even sub-blocks in one accumulator,
     * odd in the other): see {@link TiledMatMul}.
     */
    @Override
    protected boolean decodesRows() {
        return true;
    }

    @Override
    protected void decodeRange(int row, int first, int count, float[] out, int off) {
        long block = row * rowBytes + (long) (first / BLOCK) * BLOCK_BYTES;
        int blocks = count / BLOCK;
        for (int b = 0, o = off; b < blocks; b++, block += BLOCK_BYTES, o += BLOCK) {
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
                int pairAt = o + 64 * pair;
                for (int g = 0; g < 32; g += GROUP) {
                    ByteVector packed = Simd.loadGroup(data, block + QS + 32L * pair + g);
                    ByteVector low = Simd.lowNibbles(packed);
                    ByteVector high = Simd.highNibbles(packed);
                    for (int p = 0; p < PARTS; p++) {
                        int at = pairAt + g + p * LANES;
                        Simd.toFloats(low, p).fma(scaleLow, minLow).intoArray(out, at);
                        Simd.toFloats(high, p).fma(scaleHigh, minHigh).intoArray(out, at + SUB);
                    }
                }
            }
        }
    }

    /** Nibbles at {@code shift} (0 or 4) of bytes {@code e .. e+LANES} from {@code bytes}, as floats. */
    private FloatVector nibbles(long bytes, int e, int shift) {
        ByteVector packed = Simd.loadGroup(data, bytes + (e - e % GROUP));
        ByteVector q = Simd.shiftRightInBytes(packed, shift).and((byte) 0x0F);
        return Simd.toFloats(q, Simd.PARTS == 1 ? 0 : (e % GROUP) / LANES);
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
