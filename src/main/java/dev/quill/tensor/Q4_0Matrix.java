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
 * Q4_0: blocks of 32 values, each an f16 scale {@code d} then 16 bytes of nibbles. Byte j holds
 * value j in its low nibble and value j+16 in its high nibble; value = (q - 8) * d.
 */
public final class Q4_0Matrix extends WeightMatrix {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 18;
    private static final int QS = 2;
    private static final int HALF = BLOCK / 2;

    public Q4_0Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long rowBase = row * rowBytes;
        for (int b = 0; b < cols / BLOCK; b++) {
            long block = rowBase + (long) b * BLOCK_BYTES;
            float d = Simd.half(data, block);
            int first = off + b * BLOCK;
            for (int j = 0; j < HALF; j++) {
                int packed = data.get(ValueLayout.JAVA_BYTE, block + QS + j) & 0xFF;
                out[first + j] = ((packed & 0x0F) - 8) * d;
                out[first + j + HALF] = ((packed >>> 4) - 8) * d;
            }
        }
    }

    /**
     * Weights are (q - 8) * d, exact in float (at most 15 significant bits), with the reference's
     * sign of zero: see {@link TiledMatMul}.
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
            FloatVector scale = FloatVector.broadcast(F, Simd.half(data, block));
            for (int g = 0; g < HALF; g += GROUP) {
                ByteVector packed = Simd.loadGroup(data, block + QS + g);
                ByteVector low = Simd.lowNibbles(packed).sub((byte) 8);
                ByteVector high = Simd.highNibbles(packed).sub((byte) 8);
                for (int p = 0; p < PARTS; p++) {
                    Simd.toFloats(low, p).mul(scale).intoArray(out, o + g + p * LANES);
                    Simd.toFloats(high, p).mul(scale).intoArray(out, o + HALF + g + p * LANES);
                }
            }
        }
    }

    /**
     * Fused decode and multiply by {@link TiledMatMul}'s contract: each chunk's weights (q-8)*d
     * (exact) times x into alternating accumulators; low nibbles (values 0..15) first.
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
                acc = chunk(block, e).mul(scale).fma(Simd.loadX(x, xb + e), acc);
                other = chunk(block, e + LANES).mul(scale).fma(Simd.loadX(x, xb + e + LANES), other);
            }
        }
        return Simd.sumLanes(acc.add(other));
    }

    /**
     * Values {@code e .. e+LANES} of the block as q - 8 in floats: low nibbles for the first 16
     * values, high ones for the rest ({@code e} folds to a constant once C2 unrolls the caller).
     */
    private FloatVector chunk(long block, int e) {
        int at = e % HALF;
        ByteVector packed = Simd.loadGroup(data, block + QS + (at - at % GROUP));
        ByteVector q = e < HALF ? Simd.lowNibbles(packed) : Simd.highNibbles(packed);
        return Simd.toFloats(q.sub((byte) 8), Simd.PARTS == 1 ? 0 : (at % GROUP) / LANES);
    }

    /**
     * The value of largest magnitude maps to -8 (so d may be negative), which uses the full
     * -8..7 range on the side that needs it; others round to nearest.
     */
    static void quantizeRow(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int first = srcOff + b * BLOCK;
            long block = dstOff + (long) b * BLOCK_BYTES;
            float extreme = 0f;
            for (int i = 0; i < BLOCK; i++) {
                if (Math.abs(src[first + i]) > Math.abs(extreme)) {
                    extreme = src[first + i];
                }
            }
            short dHalf = Simd.toHalf(extreme / -8f);
            float d = Float.float16ToFloat(dHalf);
            float inverse = d == 0f ? 0f : 1f / d;
            dst.set(Simd.SHORT_LE, block, dHalf);
            for (int j = 0; j < HALF; j++) {
                int low = Math.clamp(Math.round(src[first + j] * inverse) + 8, 0, 15);
                int high = Math.clamp(Math.round(src[first + j + HALF] * inverse) + 8, 0, 15);
                dst.set(ValueLayout.JAVA_BYTE, block + QS + j, (byte) (low | high << 4));
            }
        }
    }
}
