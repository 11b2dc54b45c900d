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
