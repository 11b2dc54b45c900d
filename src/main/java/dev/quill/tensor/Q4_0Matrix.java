package dev.quill.tensor;

import static dev.quill.tensor.Simd.F;
import static dev.quill.tensor.Simd.GROUP;
import static dev.quill.tensor.Simd.LANES;
import static dev.quill.tensor.Simd.PARTS;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0: blocks of 32 values, each an f16 scale {@code d} then 16 bytes of nibbles. Byte j holds
 * value j in its low nibble and value j+16 in its high nibble; value = (q - 8) * d.
 */
public final class Q4_0Matrix extends WeightMatrix {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 18;
    private static final int QS = 2;
    private static final int HALF = BLOCK / 2;

    /**
     * {@code q - 8} for q = 0..15. With 16 lanes, a block's sixteen possible weights are these
     * times d, computed once per block (the same products as converting each q - 8, so the same
     * bits), and each nibble picks its weight by a lane permute ({@code selectFrom}): that replaces
     * a subtraction, a widening, a conversion and a multiply per 16 weights. Single-thread
     * 2048x2048 mat-vec 17.6-18.8 -> 21.9-22.1 G weights/s (alternating in one JVM).
     */
    private static final float[] LEVELS = {-8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7};

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
        if (LANES == 16) {
            decodeBlocksByLookup(block, blocks, out, off);
            return;
        }
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
        if (LANES == 16) {
            return dotByLookup(row, x, xOff);
        }
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
     * {@link #dot} for 16 lanes, a block's weights looked up ({@link #LEVELS}): the low nibbles
     * (values 0..15) into one accumulator, the high ones into the other, as the general path does.
     */
    private float dotByLookup(int row, float[] x, int xOff) {
        long block = row * rowBytes;
        int blocks = cols / BLOCK;
        FloatVector levels = FloatVector.fromArray(F, LEVELS, 0);
        FloatVector acc = FloatVector.zero(F);
        FloatVector other = FloatVector.zero(F);
        for (int b = 0, xb = xOff; b < blocks; b++, block += BLOCK_BYTES, xb += BLOCK) {
            IntVector weights = levels.mul(Simd.half(data, block)).reinterpretAsInts();
            IntVector packed = bytesAsInts(block);
            acc = packed.and(0x0F).selectFrom(weights).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xb), acc);
            other = packed.lanewise(VectorOperators.LSHR, 4).selectFrom(weights).reinterpretAsFloats()
                    .fma(FloatVector.fromArray(F, x, xb + HALF), other);
        }
        return Simd.sumLanes(acc.add(other));
    }

    /** {@link #decodeRange} for 16 lanes, by lookup as in {@link #dotByLookup}. */
    private void decodeBlocksByLookup(long block, int blocks, float[] out, int off) {
        FloatVector levels = FloatVector.fromArray(F, LEVELS, 0);
        for (int b = 0, o = off; b < blocks; b++, block += BLOCK_BYTES, o += BLOCK) {
            IntVector weights = levels.mul(Simd.half(data, block)).reinterpretAsInts();
            IntVector packed = bytesAsInts(block);
            packed.and(0x0F).selectFrom(weights).reinterpretAsFloats().intoArray(out, o);
            packed.lanewise(VectorOperators.LSHR, 4).selectFrom(weights).reinterpretAsFloats().intoArray(out, o + HALF);
        }
    }

    /** The block's 16 packed bytes, zero-extended to int lanes (16 lanes only). */
    private IntVector bytesAsInts(long block) {
        return (IntVector) Simd.loadGroup(data, block + QS).convertShape(VectorOperators.ZERO_EXTEND_B2I, Simd.I, 0);
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
