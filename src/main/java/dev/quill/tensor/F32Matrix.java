package dev.quill.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Plain little-endian 32-bit floats. */
public final class F32Matrix extends WeightMatrix {
    private static final ValueLayout.OfFloat F32_LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VectorSpecies<Float> SPECIES = Simd.F;

    public F32Matrix(MemorySegment data, int rows, int cols) {
        super(data, rows, cols);
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long base = row * rowBytes;
        for (int i = 0; i < cols; i++) {
            out[off + i] = data.get(F32_LE, base + 4L * i);
        }
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        int upper = SPECIES.loopBound(cols);
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i < upper; i += SPECIES.length()) {
            FloatVector w = FloatVector.fromMemorySegment(SPECIES, data, base + 4L * i, ByteOrder.LITTLE_ENDIAN);
            FloatVector v = FloatVector.fromArray(SPECIES, x, xOff + i);
            acc = w.fma(v, acc);
        }
        float sum = Simd.sumLanes(acc);
        for (; i < cols; i++) {
            sum += data.get(F32_LE, base + 4L * i) * x[xOff + i];
        }
        return sum;
    }

    /** Stores the values as they are. */
    static void quantizeRow(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        for (int i = 0; i < n; i++) {
            dst.set(F32_LE, dstOff + 4L * i, src[srcOff + i]);
        }
    }
}
