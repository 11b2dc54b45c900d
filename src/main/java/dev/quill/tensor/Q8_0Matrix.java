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
 * Q8_0: blocks of 32 values, each an f16 scale {@code d} then 32 signed bytes {@code q};
 * value = q * d.
 */
public final class Q8_0Matrix extends WeightMatrix {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 34;
    private static final int QS = 2;

    public Q8_0Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long rowBase = row * rowBytes;
        for (int b = 0; b < cols / BLOCK; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            float d = Simd.half(data, block);
            for (int i = 0; i < BLOCK; i++) {
                byte q = data.get(ValueLayout.JAVA_BYTE, block + QS + i);
                out[off + b * BLOCK + i] = q * d;
            }
        }
    }

    /** Weights are q * d, exact in float (at most 19 significant bits): see {@link TiledMatMul}. */
    @Override
    protected boolean decodesRows() {
        return true;
    }

    @Override
    protected void decodeRange(int row, int first, int count, float[] out, int off) {
        long block = row * rowBytes + (long) (first / BLOCK) * BLOCK_BYTES;
        int blocks = count / BLOCK;
        for (int b = 0, o = off; b < blocks; b++, block += BLOCK_BYTES, o += BLOCK) {
            FloatVector scale = FloatVector.broadcast(F, Simd.half(data, block));
            for (int g = 0; g < BLOCK; g += GROUP) {
                ByteVector q = Simd.loadGroup(data, block + QS + g);
                for (int p = 0; p < PARTS; p++) {
                    Simd.toFloats(q, p).mul(scale).intoArray(out, o + g + p * LANES);
                }
            }
        }
    }

    /**
     * Fused decode and multiply by {@link TiledMatMul}'s contract: each chunk's weights q*d (exact)
     * times x into alternating accumulators.
     */
    @Override
    public float dot(int row, float[] x, int xOff) {
        long block = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector acc = FloatVector.zero(F);
        FloatVector other = FloatVector.zero(F);
        // A block has an even number of chunks, so its chunk pairs go to (acc, other) in turn.
        for (int b = 0, xb = xOff; b < blocks; b++, block += BLOCK_BYTES, xb += BLOCK) {
            FloatVector scale = FloatVector.broadcast(F, Simd.half(data, block));
            for (int e = 0; e < BLOCK; e += 2 * LANES) {
                acc = Simd.bytesAsFloats(data, block + QS, e).mul(scale).fma(Simd.loadX(x, xb + e), acc);
                other = Simd.bytesAsFloats(data, block + QS, e + LANES).mul(scale).fma(Simd.loadX(x, xb + e + LANES), other);
            }
        }
        return Simd.sumLanes(acc.add(other));
    }

    /** Two vectors go through the pair kernel of {@link #dotRows}, three or more are tiled. */
    @Override
    protected int smallestTiledBatch() {
        return 3;
    }

    @Override
    protected void dotRows(float[] x, int xOff, int xStride, int batch, float[] out, int outStride, int from, int to) {
        float[] lanes = TiledMatMul.laneScratch();
        for (int tile = from; tile < to; tile += ROW_TILE) {
            int tileEnd = Math.min(to, tile + ROW_TILE);
            // An odd vector out goes through the pair kernel with itself, not through dot: with
            // both kernels inlined here the method outgrew C2's inlining budget (see Simd).
            for (int b = 0; b < batch; b += 2) {
                int second = Math.min(b + 1, batch - 1);
                for (int r = tile; r < tileEnd; r++) {
                    dotTwo(r, x, xOff + b * xStride, xOff + second * xStride, lanes);
                    out[b * outStride + r] = Simd.sumLanes(lanes, 0);
                    out[second * outStride + r] = Simd.sumLanes(lanes, LANES);
                }
            }
        }
    }

    /**
     * {@link #dot} for two vectors: each chunk's weights are decoded once and multiplied into both.
     * Leaves each vector's {@code acc + other} at {@code lanes[0 ..]} and {@code lanes[LANES ..]}.
     */
    private void dotTwo(int row, float[] x, int xFirst, int xSecond, float[] lanes) {
        long block = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector acc = FloatVector.zero(F);
        FloatVector other = FloatVector.zero(F);
        FloatVector secondAcc = FloatVector.zero(F);
        FloatVector secondOther = FloatVector.zero(F);
        for (int b = 0, xb = 0; b < blocks; b++, block += BLOCK_BYTES, xb += BLOCK) {
            FloatVector scale = FloatVector.broadcast(F, Simd.half(data, block));
            for (int e = 0; e < BLOCK; e += 2 * LANES) {
                FloatVector even = Simd.bytesAsFloats(data, block + QS, e).mul(scale);
                FloatVector odd = Simd.bytesAsFloats(data, block + QS, e + LANES).mul(scale);
                acc = even.fma(Simd.loadX(x, xFirst + xb + e), acc);
                other = odd.fma(Simd.loadX(x, xFirst + xb + e + LANES), other);
                secondAcc = even.fma(Simd.loadX(x, xSecond + xb + e), secondAcc);
                secondOther = odd.fma(Simd.loadX(x, xSecond + xb + e + LANES), secondOther);
            }
        }
        acc.add(other).intoArray(lanes, 0);
        secondAcc.add(secondOther).intoArray(lanes, LANES);
    }

    /** d = max|x| / 127 (as stored in the half), q = round(x / d). */
    static void quantizeRow(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int first = srcOff + b * BLOCK;
            long block = dstOff + (long) b * BLOCK_BYTES;
            float amax = 0f;
            for (int i = 0; i < BLOCK; i++) {
                amax = Math.max(amax, Math.abs(src[first + i]));
            }
            short dHalf = Simd.toHalf(amax / 127f);
            float d = Float.float16ToFloat(dHalf);
            float inverse = d == 0f ? 0f : 1f / d;
            dst.set(Simd.SHORT_LE, block, dHalf);
            for (int i = 0; i < BLOCK; i++) {
                int q = Math.round(src[first + i] * inverse);
                dst.set(ValueLayout.JAVA_BYTE, block + QS + i, (byte) Math.clamp(q, -127, 127));
            }
        }
    }
}
