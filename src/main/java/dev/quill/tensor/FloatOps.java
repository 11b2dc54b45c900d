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

    /** Whether {@link #sixteenScaledDots} runs here: 16-lane vectors. */
    public static final boolean SIXTEEN_DOTS = Simd.LANES == 16;

    /**
     * {@code out[outOff + j] = dot(q, qOff, k, kOff + j*kStride, n) * scale} for j < 16, bit for
     * bit what {@link #dot} and a float multiply give, with {@code n} a multiple of 16 and
     * {@link #SIXTEEN_DOTS}; {@code lanes} is 256 floats of scratch. Each row's lane sum costs
     * four shuffles and four adds; folding the sixteen rows' lane vectors together (as {@code
     * TiledMatMul} does for its twelve) takes 15 adds for all of them, the same additions.
     */
    public static void sixteenScaledDots(float[] q, int qOff, float[] k, int kOff, int kStride, int n, float scale,
            float[] lanes, float[] out, int outOff) {
        // Four rows at a time, each with its own accumulator: four independent chains of FMAs
        // instead of one (an FMA waits four cycles for the one before it).
        for (int j = 0; j < 16; j += 4) {
            int k0 = kOff + j * kStride;
            int k1 = k0 + kStride;
            int k2 = k1 + kStride;
            int k3 = k2 + kStride;
            FloatVector acc0 = FloatVector.zero(SPECIES);
            FloatVector acc1 = acc0;
            FloatVector acc2 = acc0;
            FloatVector acc3 = acc0;
            for (int i = 0; i < n; i += 16) {
                FloatVector query = FloatVector.fromArray(SPECIES, q, qOff + i);
                acc0 = query.fma(FloatVector.fromArray(SPECIES, k, k0 + i), acc0);
                acc1 = query.fma(FloatVector.fromArray(SPECIES, k, k1 + i), acc1);
                acc2 = query.fma(FloatVector.fromArray(SPECIES, k, k2 + i), acc2);
                acc3 = query.fma(FloatVector.fromArray(SPECIES, k, k3 + i), acc3);
            }
            acc0.intoArray(lanes, 16 * j);
            acc1.intoArray(lanes, 16 * j + 16);
            acc2.intoArray(lanes, 16 * j + 32);
            acc3.intoArray(lanes, 16 * j + 48);
        }
        sumSixteenLanes(lanes, scale, out, outOff);
    }

    /**
     * Lane sums of the sixteen vectors at {@code lanes[16j ..]}, times {@code scale}, into {@code
     * out}: folded pairwise, several rows side by side in a vector (see {@code TiledMatMul.pick}).
     * Written out with the JDK's vector calls only: C2 may stop inlining our own small methods in
     * a graph this big (see {@link Simd}), never the JDK's.
     */
    private static void sumSixteenLanes(float[] lanes, float scale, float[] out, int outOff) {
        FloatVector low = TiledMatMul.PICK_LOW_8;
        FloatVector high = TiledMatMul.PICK_HIGH_8;
        FloatVector a0 = FloatVector.fromArray(SPECIES, lanes, 0);
        FloatVector b0 = FloatVector.fromArray(SPECIES, lanes, 16);
        FloatVector p0 = low.selectFrom(a0, b0).add(high.selectFrom(a0, b0));
        FloatVector a1 = FloatVector.fromArray(SPECIES, lanes, 32);
        FloatVector b1 = FloatVector.fromArray(SPECIES, lanes, 48);
        FloatVector p1 = low.selectFrom(a1, b1).add(high.selectFrom(a1, b1));
        FloatVector a2 = FloatVector.fromArray(SPECIES, lanes, 64);
        FloatVector b2 = FloatVector.fromArray(SPECIES, lanes, 80);
        FloatVector p2 = low.selectFrom(a2, b2).add(high.selectFrom(a2, b2));
        FloatVector a3 = FloatVector.fromArray(SPECIES, lanes, 96);
        FloatVector b3 = FloatVector.fromArray(SPECIES, lanes, 112);
        FloatVector p3 = low.selectFrom(a3, b3).add(high.selectFrom(a3, b3));
        FloatVector a4 = FloatVector.fromArray(SPECIES, lanes, 128);
        FloatVector b4 = FloatVector.fromArray(SPECIES, lanes, 144);
        FloatVector p4 = low.selectFrom(a4, b4).add(high.selectFrom(a4, b4));
        FloatVector a5 = FloatVector.fromArray(SPECIES, lanes, 160);
        FloatVector b5 = FloatVector.fromArray(SPECIES, lanes, 176);
        FloatVector p5 = low.selectFrom(a5, b5).add(high.selectFrom(a5, b5));
        FloatVector a6 = FloatVector.fromArray(SPECIES, lanes, 192);
        FloatVector b6 = FloatVector.fromArray(SPECIES, lanes, 208);
        FloatVector p6 = low.selectFrom(a6, b6).add(high.selectFrom(a6, b6));
        FloatVector a7 = FloatVector.fromArray(SPECIES, lanes, 224);
        FloatVector b7 = FloatVector.fromArray(SPECIES, lanes, 240);
        FloatVector p7 = low.selectFrom(a7, b7).add(high.selectFrom(a7, b7));
        low = TiledMatMul.PICK_LOW_4;
        high = TiledMatMul.PICK_HIGH_4;
        FloatVector q0 = low.selectFrom(p0, p1).add(high.selectFrom(p0, p1));
        FloatVector q1 = low.selectFrom(p2, p3).add(high.selectFrom(p2, p3));
        FloatVector q2 = low.selectFrom(p4, p5).add(high.selectFrom(p4, p5));
        FloatVector q3 = low.selectFrom(p6, p7).add(high.selectFrom(p6, p7));
        low = TiledMatMul.PICK_LOW_2;
        high = TiledMatMul.PICK_HIGH_2;
        FloatVector r0 = low.selectFrom(q0, q1).add(high.selectFrom(q0, q1));
        FloatVector r1 = low.selectFrom(q2, q3).add(high.selectFrom(q2, q3));
        // Lane j now holds row j's sum.
        TiledMatMul.PICK_LOW_1.selectFrom(r0, r1).add(TiledMatMul.PICK_HIGH_1.selectFrom(r0, r1)).mul(scale)
                .intoArray(out, outOff);
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

    /**
     * {@code count} calls of {@link #axpy}, bit for bit: y += alpha[aOff+j]·(row j) for j = 0, 1,
     * ... in turn, row j at {@code rows[rowOff + j*rowStride ..]}. Each slice of y stays in a
     * register across the rows instead of being loaded and stored once per row.
     */
    public static void axpyRows(float[] alpha, int aOff, float[] rows, int rowOff, int rowStride, int count, float[] y,
            int yOff, int n) {
        int i = 0;
        int step = SPECIES.length();
        // Four slices of y at a time: four independent chains of FMAs across the rows instead of
        // one (an FMA waits four cycles for the one before it).
        for (; i + 4 * step <= n; i += 4 * step) {
            FloatVector acc0 = FloatVector.fromArray(SPECIES, y, yOff + i);
            FloatVector acc1 = FloatVector.fromArray(SPECIES, y, yOff + i + step);
            FloatVector acc2 = FloatVector.fromArray(SPECIES, y, yOff + i + 2 * step);
            FloatVector acc3 = FloatVector.fromArray(SPECIES, y, yOff + i + 3 * step);
            for (int j = 0; j < count; j++) {
                FloatVector a = FloatVector.broadcast(SPECIES, alpha[aOff + j]);
                int row = rowOff + j * rowStride + i;
                acc0 = FloatVector.fromArray(SPECIES, rows, row).fma(a, acc0);
                acc1 = FloatVector.fromArray(SPECIES, rows, row + step).fma(a, acc1);
                acc2 = FloatVector.fromArray(SPECIES, rows, row + 2 * step).fma(a, acc2);
                acc3 = FloatVector.fromArray(SPECIES, rows, row + 3 * step).fma(a, acc3);
            }
            acc0.intoArray(y, yOff + i);
            acc1.intoArray(y, yOff + i + step);
            acc2.intoArray(y, yOff + i + 2 * step);
            acc3.intoArray(y, yOff + i + 3 * step);
        }
        for (int upper = SPECIES.loopBound(n); i < upper; i += step) {
            FloatVector acc = FloatVector.fromArray(SPECIES, y, yOff + i);
            for (int j = 0; j < count; j++) {
                acc = FloatVector.fromArray(SPECIES, rows, rowOff + j * rowStride + i)
                        .fma(FloatVector.broadcast(SPECIES, alpha[aOff + j]), acc);
            }
            acc.intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            for (int j = 0; j < count; j++) {
                y[yOff + i] += alpha[aOff + j] * rows[rowOff + j * rowStride + i];
            }
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

    /**
     * dst[dstOff+i] = the half nearest src[srcOff+i] (ties to even), as bits. A plain loop on
     * purpose: C2 compiles it to the CPU's float-to-half conversion, 16 values per instruction.
     */
    public static void floatsToHalves(float[] src, int srcOff, short[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.floatToFloat16(src[srcOff + i]);
        }
    }

    /** dst[dstOff+i] = the half whose bits are src[srcOff+i], exactly; compiled as {@link #floatsToHalves}. */
    public static void halvesToFloats(short[] src, int srcOff, float[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = Float.float16ToFloat(src[srcOff + i]);
        }
    }

    /** Rounds x[off .. off+n) to the nearest IEEE half-precision value (kept as floats). */
    public static void roundToHalf(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) {
            x[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
        }
    }
}
