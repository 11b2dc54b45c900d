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

    /**
     * {@code SIGNED_LEVELS[i] == (byte) i}: the dot reads a signed scale's float from here instead
     * of converting the int, as {@link Q4_KMatrix}'s does (the same value, so the same bits).
     * Single-thread mat-vec ({@code DotBench}, alternating JVMs): 2048x2048 9.7-10.2 to 10.9-11.4
     * G weights/s in 8 of 8 pairs; 32768x2048, streamed from memory, 9.7-10.4 to 10.8-11.1 in the
     * 3 pairs outside the machine's slow phases (faster in all 5).
     */
    private static final float[] SIGNED_LEVELS = new float[256];

    static {
        for (int i = 0; i < SIGNED_LEVELS.length; i++) {
            SIGNED_LEVELS[i] = (byte) i;
        }
    }

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

    /** Weights are (d*scale) * q, exact in float (at most 24 significant bits): see {@link TiledMatMul}. */
    @Override
    protected boolean decodesRows() {
        return true;
    }

    /**
     * The slowest decode of the common types, and the one that gained from long runs: batches of
     * 4, 8 and 16 vectors over a 65536x2048 matrix streamed from memory ran 12%, 15% and 21%
     * faster (single thread, alternating in one JVM), while Q4_0, Q4_K, Q8_0 and F16 stayed
     * within 4%. With 8 streams on a Q4_0 file, its Q6_K output product took 33-36 instead of
     * 39-43 ms a step.
     */
    @Override
    protected boolean decodesInLongRuns() {
        return true;
    }

    @Override
    protected void decodeRange(int row, int first, int count, float[] out, int off) {
        long block = row * rowBytes + (long) (first / BLOCK) * BLOCK_BYTES;
        int blocks = count / BLOCK;
        for (int b = 0, o = off; b < blocks; b++, block += BLOCK_BYTES, o += BLOCK) {
            float d = Simd.half(data, block + D);
            for (int half = 0; half < 2; half++) {
                long scales = data.get(Simd.LONG_LE, block + SCALES + 8L * half);
                long lowBase = block + 64L * half;
                int outHalf = o + 128 * half;
                for (int g = 0; g < 32; g += GROUP) {
                    ByteVector highBits = Simd.loadGroup(data, block + QH + 32L * half + g);
                    for (int k = 0; k < 4; k++) {
                        ByteVector lowBytes = Simd.loadGroup(data, lowBase + 32 * (k & 1) + g);
                        ByteVector q = sixBits(lowBytes, 4 * (k >> 1), highBits, 2 * k);
                        FloatVector scale = FloatVector.broadcast(F, d * (byte) Simd.byteOf(scales, 2 * k + g / SUB));
                        for (int p = 0; p < PARTS; p++) {
                            Simd.toFloats(q, p).mul(scale).intoArray(out, outHalf + 32 * k + g + p * LANES);
                        }
                    }
                }
            }
        }
    }

    /**
     * Fused decode and multiply by {@link TiledMatMul}'s contract: quarter by quarter, each chunk's
     * weights (d*scale)*q (exact) times x into alternating accumulators.
     */
    @Override
    public float dot(int row, float[] x, int xOff) {
        if (LANES == 16) {
            return dotSixteenLanes(row, x, xOff);
        }
        long block = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector acc = FloatVector.zero(F);
        FloatVector other = FloatVector.zero(F);
        for (int b = 0, xb = xOff; b < blocks; b++, block += BLOCK_BYTES, xb += BLOCK) {
            float d = Simd.half(data, block + D);
            for (int half = 0; half < 2; half++) {
                long scales = data.get(Simd.LONG_LE, block + SCALES + 8L * half);
                long lowBase = block + 64L * half;
                long highBase = block + QH + 32L * half;
                int xHalf = xb + 128 * half;
                // Kept rolled: C2 stops inlining vector calls in a method whose parsed graph grows
                // too big, and an unrolled body gets there (see Simd).
                for (int k = 0; k < 4; k++) {
                    long lowBytes = lowBase + 32 * (k & 1);
                    int xQuarter = xHalf + 32 * k;
                    // Chunks alternate between the accumulators; a quarter has an even number.
                    for (int e = 0; e < 32; e += LANES) {
                        FloatVector scale = FloatVector.broadcast(F, d * SIGNED_LEVELS[Simd.byteOf(scales, 2 * k + e / SUB)]);
                        acc = values(lowBytes, highBase, k, e).mul(scale).fma(Simd.loadX(x, xQuarter + e), acc);
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
     * {@link #dot} for 16 lanes, where a quarter is two chunks: the first chunk of each quarter
     * (even) goes to one accumulator and the second (odd) to the other, each still in increasing
     * order, so the high bits of a half load once for all four quarters.
     */
    private float dotSixteenLanes(int row, float[] x, int xOff) {
        long block = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector even = FloatVector.zero(F);
        FloatVector odd = FloatVector.zero(F);
        for (int b = 0, xb = xOff; b < blocks; b++, block += BLOCK_BYTES, xb += BLOCK) {
            float d = Simd.half(data, block + D);
            for (int half = 0; half < 2; half++) {
                long scales = data.get(Simd.LONG_LE, block + SCALES + 8L * half);
                long lowBase = block + 64L * half;
                ByteVector highFirst = Simd.loadGroup(data, block + QH + 32L * half);
                ByteVector highSecond = Simd.loadGroup(data, block + QH + 32L * half + 16);
                int xHalf = xb + 128 * half;
                for (int k = 0; k < 4; k++) {
                    long low = lowBase + 32 * (k & 1);
                    // Kept rolled: one sixBits in the body keeps it small enough for C2 (see Simd).
                    for (int j = 0; j < 2; j++) {
                        ByteVector q = sixBits(Simd.loadGroup(data, low + 16 * j), 4 * (k >> 1),
                                j == 0 ? highFirst : highSecond, 2 * k);
                        FloatVector scale = FloatVector.broadcast(F, d * SIGNED_LEVELS[Simd.byteOf(scales, 2 * k + j)]);
                        even = Simd.toFloats(q, 0).mul(scale).fma(Simd.loadX(x, xHalf + 32 * k + 16 * j), even);
                        FloatVector swap = even;
                        even = odd;
                        odd = swap;
                    }
                }
            }
        }
        return Simd.sumLanes(even.add(odd));
    }

    /** Values {@code e .. e+LANES} of quarter {@code k} (6-bit, less 32) as floats. */
    private FloatVector values(long lowBytes, long highBase, int k, int e) {
        int g = e - e % GROUP;
        ByteVector q = sixBits(Simd.loadGroup(data, lowBytes + g), 4 * (k >> 1), Simd.loadGroup(data, highBase + g), 2 * k);
        return Simd.toFloats(q, Simd.PARTS == 1 ? 0 : (e % GROUP) / LANES);
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
