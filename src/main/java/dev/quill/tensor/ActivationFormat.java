package dev.quill.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * How a weight type's matrix products see their input vector. llama.cpp does not multiply
 * quantized weights with f32 activations: it first converts the activations to the weight type's
 * "vec_dot_type" (8-bit blocks for quantized weights, halves for F16) and multiplies those. Quill
 * reproduces that conversion exactly (same block sizes, scales, rounding), then runs its float
 * kernels on the decoded values; the products differ from llama.cpp's integer ones only in
 * float rounding order.
 */
public enum ActivationFormat {
    /** Unchanged floats (F32 weights). */
    F32(1),
    /** IEEE halves, round to nearest even (F16 weights). */
    F16(1),
    /** bfloat16, round to nearest even (BF16 weights). */
    BF16(1),
    /** Blocks of 32: fp16 scale max|x|/127, bytes round-half-even(x·127/max) (Q4_0, Q5_0, Q8_0). */
    Q8_0(32),
    /** Q8_0's values plus a block sum, which the decoded floats carry implicitly (Q4_1, Q5_1). */
    Q8_1(32),
    /** Blocks of 256: f32 scale, bytes nearest(x·(-127/max)) with max the signed extreme (K-quants). */
    Q8_K(256);

    private final int blockSize;

    private static final VectorSpecies<Float> F = Simd.F;
    /** The blocks are converted a vector at a time where whole vectors tile a 32-value block. */
    private static final boolean VECTOR_BLOCKS = F.length() >= 4 && 32 % F.length() == 0;

    ActivationFormat(int blockSize) {
        this.blockSize = blockSize;
    }

    public int blockSize() {
        return blockSize;
    }

    /** The format llama.cpp converts activations to before multiplying them with {@code type}. */
    public static ActivationFormat forWeights(GgmlType type) {
        return switch (type) {
            case F32 -> F32;
            case F16 -> F16;
            case BF16 -> BF16;
            case Q4_0, Q5_0, Q8_0 -> Q8_0;
            case Q4_1, Q5_1 -> Q8_1;
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> Q8_K;
            default -> throw new UnsupportedWeightTypeException(type);
        };
    }

    /**
     * Writes to {@code dst} the values the matrix product sees: each of {@code rows} vectors of
     * {@code cols} values (stride {@code cols}) converted to this format and decoded back.
     * Allocates nothing.
     */
    public void roundTrip(float[] src, int srcOff, float[] dst, int dstOff, int rows, int cols) {
        if (cols % blockSize != 0) {
            throw new IllegalArgumentException(this + " activations need whole blocks of " + blockSize + ", got " + cols);
        }
        int n = rows * cols;
        switch (this) {
            case F32 -> System.arraycopy(src, srcOff, dst, dstOff, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = Float.float16ToFloat(Float.floatToFloat16(src[srcOff + i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOff + i] = roundToBf16(src[srcOff + i]);
                }
            }
            case Q8_0, Q8_1 -> {
                for (int b = 0; b < n; b += 32) {
                    if (VECTOR_BLOCKS) {
                        quantizeQ8_0BlockVector(src, srcOff + b, dst, dstOff + b);
                    } else {
                        quantizeQ8_0Block(src, srcOff + b, dst, dstOff + b);
                    }
                }
            }
            case Q8_K -> {
                for (int b = 0; b < n; b += 256) {
                    if (VECTOR_BLOCKS) {
                        quantizeQ8_KBlockVector(src, srcOff + b, dst, dstOff + b);
                    } else {
                        quantizeQ8_KBlock(src, srcOff + b, dst, dstOff + b);
                    }
                }
            }
        }
    }

    /** The scalar reference of a Q8_0 block's round trip; {@link #quantizeQ8_0BlockVector} gives the same bits. */
    static void quantizeQ8_0Block(float[] src, int s, float[] dst, int d) {
        float amax = 0f;
        for (int i = 0; i < 32; i++) {
            amax = Math.max(amax, Math.abs(src[s + i]));
        }
        // As llama.cpp's x86 path: scale stored as a half, values scaled by 127/max in float and
        // rounded half to even.
        float scale = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
        float inverse = amax != 0f ? 127f / amax : 0f;
        for (int i = 0; i < 32; i++) {
            dst[d + i] = (float) Math.rint(src[s + i] * inverse) * scale;
        }
    }

    /** The scalar reference of a Q8_K block's round trip; {@link #quantizeQ8_KBlockVector} gives the same bits. */
    static void quantizeQ8_KBlock(float[] src, int s, float[] dst, int d) {
        float amax = 0f;
        float max = 0f;
        for (int i = 0; i < 256; i++) {
            float ax = Math.abs(src[s + i]);
            if (ax > amax) {
                amax = ax;
                max = src[s + i];
            }
        }
        if (amax == 0f) {
            java.util.Arrays.fill(dst, d, d + 256, 0f);
            return;
        }
        float iscale = -127f / max;
        float scale = 1f / iscale;
        for (int i = 0; i < 256; i++) {
            int q = Math.min(127, (int) Math.rint(iscale * src[s + i]));
            dst[d + i] = q * scale;
        }
    }

    static void quantizeQ8_0BlockVector(float[] src, int s, float[] dst, int d) {
        // Lane-wise and reduced MAX follow Math.max, NaN included, as the scalar loop does.
        FloatVector amaxes = FloatVector.zero(F);
        for (int i = 0; i < 32; i += F.length()) {
            amaxes = amaxes.max(FloatVector.fromArray(F, src, s + i).abs());
        }
        float amax = amaxes.reduceLanes(VectorOperators.MAX);
        float scale = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
        float inverse = amax != 0f ? 127f / amax : 0f;
        for (int i = 0; i < 32; i += F.length()) {
            FloatVector scaled = FloatVector.fromArray(F, src, s + i).mul(inverse);
            Simd.rint(scaled).mul(scale).intoArray(dst, d + i);
        }
    }

    static void quantizeQ8_KBlockVector(float[] src, int s, float[] dst, int d) {
        // The scalar loop skips NaN and keeps the first value of the largest magnitude; so does
        // this: NaN lanes count as 0, then the first lane equal to the maximum is taken.
        FloatVector amaxes = FloatVector.zero(F);
        for (int i = 0; i < 256; i += F.length()) {
            FloatVector abs = FloatVector.fromArray(F, src, s + i).abs();
            amaxes = amaxes.max(abs.blend(0f, abs.test(VectorOperators.IS_NAN)));
        }
        float amax = amaxes.reduceLanes(VectorOperators.MAX);
        if (amax == 0f) {
            java.util.Arrays.fill(dst, d, d + 256, 0f);
            return;
        }
        float max = 0f;
        for (int i = 0; i < 256; i += F.length()) {
            VectorMask<Float> hit = FloatVector.fromArray(F, src, s + i).abs().compare(VectorOperators.EQ, amax);
            if (hit.anyTrue()) {
                max = src[s + i + hit.firstTrue()];
                break;
            }
        }
        float iscale = -127f / max;
        float scale = 1f / iscale;
        IntVector limit = IntVector.broadcast(Simd.I, 127);
        for (int i = 0; i < 256; i += F.length()) {
            FloatVector rounded = Simd.rint(FloatVector.fromArray(F, src, s + i).mul(iscale));
            // Java's float-to-int cast, as the scalar (int) Math.rint(...): NaN to 0, saturating.
            IntVector q = ((IntVector) rounded.convertShape(VectorOperators.F2I, Simd.I, 0)).min(limit);
            ((FloatVector) q.convertShape(VectorOperators.I2F, F, 0)).mul(scale).intoArray(dst, d + i);
        }
    }

    private static float roundToBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return Float.intBitsToFloat((bits | 0x00400000) & 0xffff0000); // quiet NaN
        }
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(rounded & 0xffff0000);
    }
}
