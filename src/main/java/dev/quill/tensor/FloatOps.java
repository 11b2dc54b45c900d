package dev.quill.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vectorized float-array primitives used by the forward pass (norms, attention, activations). */
public final class FloatOps {
    private static final VectorSpecies<Float> SPECIES = Simd.F;

    private FloatOps() {
    }

    /** Σ a[aOff+i]·b[bOff+i] for i in [0, n). */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        float sum = 0f;
        int upper = SPECIES.loopBound(n);
        if (upper > 0) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (; i < upper; i += SPECIES.length()) {
                acc = FloatVector.fromArray(SPECIES, a, aOff + i).fma(FloatVector.fromArray(SPECIES, b, bOff + i), acc);
            }
            sum = Simd.sumLanes(acc);
        }
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** y[yOff+i] += alpha·x[xOff+i]. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        int upper = SPECIES.loopBound(n);
        FloatVector va = FloatVector.broadcast(SPECIES, alpha);
        for (; i < upper; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, x, xOff + i).fma(va, FloatVector.fromArray(SPECIES, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    /** y[yOff+i] += x[xOff+i]. */
    public static void add(float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        int upper = SPECIES.loopBound(n);
        for (; i < upper; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, x, xOff + i).add(FloatVector.fromArray(SPECIES, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += x[xOff + i];
        }
    }

    /** out = x / sqrt(mean(x²) + eps) · weight, over n values. */
    public static void rmsNorm(float[] x, int xOff, float[] weight, float eps, float[] out, int outOff, int n) {
        // As ggml: squares in float summed in double, then mean and scale in float, then
        // (x · scale) · weight, so values round exactly as llama.cpp's do.
        double ss = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            ss += v * v;
        }
        float mean = (float) (ss / n);
        float scale = 1f / (float) Math.sqrt(mean + eps);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (x[xOff + i] * scale) * weight[i];
        }
    }

    /** In-place softmax over x[off .. off+n). */
    public static void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        // Exponentials in their own loop, which C2 vectorizes; the sum after it in order.
        for (int i = 0; i < n; i++) {
            x[off + i] = FastExp.expNonPositive(x[off + i] - max);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += x[off + i];
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            x[off + i] *= inv;
        }
    }

    /**
     * gate[i] = silu(gate[i]) · up[i] (SwiGLU), written into gate. silu(g) = g / (1 + e^-g), with
     * the exponential taken of -|g| ({@link FastExp} is for arguments <= 0): for negative g,
     * g·e^g / (1 + e^g), the same value.
     */
    public static void swiglu(float[] gate, int gateOff, float[] up, int upOff, int n) {
        int i = 0;
        for (int upper = FastExp.FLOATS.loopBound(n); i < upper; i += FastExp.FLOATS.length()) {
            FloatVector g = FloatVector.fromArray(FastExp.FLOATS, gate, gateOff + i);
            FloatVector e = FastExp.expNonPositive(g.abs().neg());
            FloatVector onePlusE = e.add(1f);
            // As the scalar form: g / (1 + e) where g >= 0, else g * e / (1 + e) (NaN included).
            FloatVector silu = g.mul(e).div(onePlusE).blend(g.div(onePlusE), g.compare(VectorOperators.GE, 0f));
            silu.mul(FloatVector.fromArray(FastExp.FLOATS, up, upOff + i)).intoArray(gate, gateOff + i);
        }
        for (; i < n; i++) {
            float g = gate[gateOff + i];
            float e = FastExp.expNonPositive(-Math.abs(g));
            float silu = g >= 0 ? g / (1f + e) : g * e / (1f + e);
            gate[gateOff + i] = silu * up[upOff + i];
        }
    }

    /** Rounds x[off .. off+n) to the nearest IEEE half-precision value (kept as floats). */
    public static void roundToHalf(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) {
            x[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
        }
    }
}
