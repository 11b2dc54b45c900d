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

    @Override
    public float dot(int row, float[] x, int xOff) {
        if (LANES == 16) {
            return dotTwoBlocksAtATime(row, x, xOff);
        }
        long rowBase = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            int xBlock = xOff + b * BLOCK;
            // Sum q·x over the block first, then scale once: one multiply by d per block.
            FloatVector blockSum = FloatVector.zero(F);
            for (int g = 0; g < BLOCK; g += GROUP) {
                ByteVector q = Simd.loadGroup(data, block + QS + g);
                for (int p = 0; p < PARTS; p++) {
                    blockSum = Simd.toFloats(q, p).fma(Simd.loadX(x, xBlock + g + p * LANES), blockSum);
                }
            }
            acc = blockSum.fma(FloatVector.broadcast(F, Simd.half(data, block)), acc);
        }
        return Simd.sumLanes(acc);
    }

    /**
     * 16-lane path: two blocks per iteration into two accumulators. A single accumulator chain
     * makes every block wait for the previous block's FMA latency; independent chains let the
     * core overlap them, which is most of the kernel's speed.
     */
    private float dotTwoBlocksAtATime(int row, float[] x, int xOff) {
        long block = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int xBlock = xOff;
        int b = 0;
        for (; b + 1 < blocks; b += 2, block += 2 * BLOCK_BYTES, xBlock += 2 * BLOCK) {
            FloatVector s0 = Simd.toFloats(Simd.loadGroup(data, block + QS), 0).mul(Simd.loadX(x, xBlock));
            s0 = Simd.toFloats(Simd.loadGroup(data, block + QS + 16), 0).fma(Simd.loadX(x, xBlock + 16), s0);
            long next = block + BLOCK_BYTES;
            FloatVector s1 = Simd.toFloats(Simd.loadGroup(data, next + QS), 0).mul(Simd.loadX(x, xBlock + BLOCK));
            s1 = Simd.toFloats(Simd.loadGroup(data, next + QS + 16), 0).fma(Simd.loadX(x, xBlock + BLOCK + 16), s1);
            acc0 = s0.fma(FloatVector.broadcast(F, Simd.half(data, block)), acc0);
            acc1 = s1.fma(FloatVector.broadcast(F, Simd.half(data, next)), acc1);
        }
        if (b < blocks) {
            FloatVector s0 = Simd.toFloats(Simd.loadGroup(data, block + QS), 0).mul(Simd.loadX(x, xBlock));
            s0 = Simd.toFloats(Simd.loadGroup(data, block + QS + 16), 0).fma(Simd.loadX(x, xBlock + 16), s0);
            acc0 = s0.fma(FloatVector.broadcast(F, Simd.half(data, block)), acc0);
        }
        return Simd.sumLanes(acc0.add(acc1));
    }

    /**
     * {@link #dot} for up to four vectors at once, each block's bytes widened once for all of
     * them; per vector exactly the operations of the dot path for this vector width. With fewer
     * than four vectors the last one is computed again into the unused slots.
     */
    @Override
    protected boolean accumulateMany(int row, float[] x, int xOff, int xStride, int count, float[] laneSums) {
        int x1 = xOff + xStride;
        int x2 = xOff + Math.min(2, count - 1) * xStride;
        int x3 = xOff + Math.min(3, count - 1) * xStride;
        if (LANES == 16) {
            accumulateManyAlternating(row, x, xOff, x1, x2, x3, laneSums);
        } else {
            accumulateManyPerBlock(row, x, xOff, x1, x2, x3, laneSums);
        }
        return true;
    }

    /**
     * As {@link #dotTwoBlocksAtATime}: per vector, even blocks into one accumulator and odd ones
     * into another, summed at the end. One block per iteration, the two accumulators swapping
     * places after it, keeps the body (and the live vectors: eight accumulators) small enough for
     * C2.
     */
    private void accumulateManyAlternating(int row, float[] x, int x0, int x1, int x2, int x3, float[] laneSums) {
        long block = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        FloatVector other0 = FloatVector.zero(F);
        FloatVector other1 = FloatVector.zero(F);
        FloatVector other2 = FloatVector.zero(F);
        FloatVector other3 = FloatVector.zero(F);
        for (int b = 0, e = 0; b < blocks; b++, block += BLOCK_BYTES, e += BLOCK) {
            FloatVector lo = Simd.toFloats(Simd.loadGroup(data, block + QS), 0);
            FloatVector hi = Simd.toFloats(Simd.loadGroup(data, block + QS + 16), 0);
            FloatVector d = FloatVector.broadcast(F, Simd.half(data, block));
            FloatVector next0 = hi.fma(Simd.loadX(x, x0 + e + 16), lo.mul(Simd.loadX(x, x0 + e))).fma(d, other0);
            FloatVector next1 = hi.fma(Simd.loadX(x, x1 + e + 16), lo.mul(Simd.loadX(x, x1 + e))).fma(d, other1);
            FloatVector next2 = hi.fma(Simd.loadX(x, x2 + e + 16), lo.mul(Simd.loadX(x, x2 + e))).fma(d, other2);
            FloatVector next3 = hi.fma(Simd.loadX(x, x3 + e + 16), lo.mul(Simd.loadX(x, x3 + e))).fma(d, other3);
            other0 = acc0;
            other1 = acc1;
            other2 = acc2;
            other3 = acc3;
            acc0 = next0;
            acc1 = next1;
            acc2 = next2;
            acc3 = next3;
        }
        // acc* now holds the last block's chain. dot adds the even chain to the odd one; the
        // other order is the same sum, but two NaNs could keep a different payload.
        if ((blocks & 1) == 1) {
            acc0.add(other0).intoArray(laneSums, 0);
            acc1.add(other1).intoArray(laneSums, LANES);
            acc2.add(other2).intoArray(laneSums, 2 * LANES);
            acc3.add(other3).intoArray(laneSums, 3 * LANES);
        } else {
            other0.add(acc0).intoArray(laneSums, 0);
            other1.add(acc1).intoArray(laneSums, LANES);
            other2.add(acc2).intoArray(laneSums, 2 * LANES);
            other3.add(acc3).intoArray(laneSums, 3 * LANES);
        }
    }

    /** As the per-block path of {@link #dot}: block sum from zero, times d into one accumulator. */
    private void accumulateManyPerBlock(int row, float[] x, int x0, int x1, int x2, int x3, float[] laneSums) {
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
            for (int g = 0; g < BLOCK; g += GROUP) {
                ByteVector q = Simd.loadGroup(data, block + QS + g);
                for (int p = 0; p < PARTS; p++) {
                    FloatVector w = Simd.toFloats(q, p);
                    int at = e + g + p * LANES;
                    s0 = w.fma(Simd.loadX(x, x0 + at), s0);
                    s1 = w.fma(Simd.loadX(x, x1 + at), s1);
                    s2 = w.fma(Simd.loadX(x, x2 + at), s2);
                    s3 = w.fma(Simd.loadX(x, x3 + at), s3);
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
