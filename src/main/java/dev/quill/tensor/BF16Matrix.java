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
import jdk.incubator.vector.VectorOperators;

/** bfloat16: the upper 16 bits of an IEEE float, little-endian. */
public final class BF16Matrix extends WeightMatrix {
    public BF16Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** Rounds to nearest even; NaNs stay (quiet) NaNs rather than rounding into infinity. */
    static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long base = row * rowBytes;
        for (int i = 0; i < cols; i++) {
            out[off + i] = toFloat(data.get(SHORT_LE, base + 2L * i));
        }
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        int step = S.length();
        int upper = cols - cols % step;
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i < upper; i += step) {
            ShortVector halves = ShortVector.fromMemorySegment(S, data, base + 2L * i, LE);
            for (int p = 0; p < SHORT_PARTS; p++) {
                // Shifting left by 16 drops the sign extension and leaves the float's bits.
                FloatVector w = Simd.toInts(halves, p).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                acc = w.fma(Simd.loadX(x, xOff + i + p * LANES), acc);
            }
        }
        float sum = Simd.sumLanes(acc);
        for (; i < cols; i++) {
            sum += toFloat(data.get(SHORT_LE, base + 2L * i)) * x[xOff + i];
        }
        return sum;
    }

    static void quantizeRow(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int i = 0; i < n; i++) {
            dst.set(SHORT_LE, dstOff + 2L * i, fromFloat(src[srcOff + i]));
        }
    }
}
