package dev.quill.tensor;

import static dev.quill.tensor.Simd.F;
import static dev.quill.tensor.Simd.LANES;
import static dev.quill.tensor.Simd.LE;
import static dev.quill.tensor.Simd.S;
import static dev.quill.tensor.Simd.SHORT_LE;
import static dev.quill.tensor.Simd.SHORT_PARTS;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;

/** IEEE 754 half-precision values, little-endian. */
public final class F16Matrix extends WeightMatrix {
    public F16Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long base = row * rowBytes;
        for (int i = 0; i < cols; i++) {
            out[off + i] = Float.float16ToFloat(data.get(SHORT_LE, base + 2L * i));
        }
    }

    /** Rows of whole short vectors take {@link TiledMatMul}'s kernels (halves widen exactly). */
    @Override
    protected boolean decodesRows() {
        return TiledMatMul.fits(cols);
    }

    @Override
    protected void decodeRange(int row, int first, int count, float[] out, int off) {
        long base = row * rowBytes + 2L * first;
        // A plain loop on purpose: C2 compiles it to the CPU's half-to-float conversion
        // (vcvtph2ps, 16 values per instruction), far cheaper than widening by hand.
        for (int i = 0; i < count; i++) {
            out[off + i] = Float.float16ToFloat(data.get(SHORT_LE, base + 2L * i));
        }
    }

    /**
     * By {@link TiledMatMul}'s contract (chunk pairs into two accumulators) where the row fits it,
     * else one accumulator and a scalar tail.
     */
    @Override
    public float dot(int row, float[] x, int xOff) {
        return decodesRows() ? dotChunkPairs(row, x, xOff) : dotWithTail(row, x, xOff);
    }

    // Two methods, not one: together they would be too big for C2 to keep the vector calls inline.
    private float dotChunkPairs(int row, float[] x, int xOff) {
        return TiledMatMul.dotRow(this, row, x, xOff);
    }

    private float dotWithTail(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        int step = S.length();
        int upper = cols - cols % step;
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i < upper; i += step) {
            ShortVector halves = ShortVector.fromMemorySegment(S, data, base + 2L * i, LE);
            for (int p = 0; p < SHORT_PARTS; p++) {
                acc = Simd.halfBitsToFloats(Simd.toInts(halves, p)).fma(Simd.loadX(x, xOff + i + p * LANES), acc);
            }
        }
        float sum = Simd.sumLanes(acc);
        for (; i < cols; i++) {
            sum += Float.float16ToFloat(data.get(SHORT_LE, base + 2L * i)) * x[xOff + i];
        }
        return sum;
    }

    /** Rounds each value to the nearest half (ties to even); out-of-range values become infinite. */
    static void quantizeRow(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int i = 0; i < n; i++) {
            dst.set(SHORT_LE, dstOff + 2L * i, Float.floatToFloat16(src[srcOff + i]));
        }
    }
}
