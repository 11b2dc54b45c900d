package dev.quill.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector shapes, little-endian layouts and small conversions shared by the weight kernels.
 *
 * <p>The kernels work on "byte groups": {@link #GROUP} packed bytes loaded at once, widened to
 * floats in {@link #PARTS} pieces of {@link #LANES} lanes each. Because quant blocks hold runs of
 * 16 or 32 bytes, the float species is capped at 512 bits (16 lanes) so a group never exceeds 16
 * bytes; below 8 lanes the group stays at 8 bytes (the smallest byte vector) and is split into
 * parts. All constants are static finals so C2 folds them and the loops over groups and parts.
 *
 * <p>These helpers are inlined only because the launcher tells C2 to ({@code
 * -XX:CompileCommand=inline,dev.quill.tensor.Simd::*}), and C2 stops inlining such methods once
 * the graph it is building passes 18,000 nodes (the JDK's force-inlined vector methods are
 * exempt). Each Vector API call costs several hundred nodes before they fold away, and a helper
 * left out of line boxes its vectors: the kernel becomes ~50x slower. So kernel bodies keep their
 * loops rolled (C2 unrolls them later) and stay around 30 vector calls, and big kernels call the
 * JDK directly where they can; {@code KernelInliningBudgetTest} checks every kernel's margin.
 */
final class Simd {
    private Simd() {
    }

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);

    /** Float species of the kernels: the preferred one, at most 512 bits. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.vectorBitSize() > 512
            ? FloatVector.SPECIES_512
            : FloatVector.SPECIES_PREFERRED;
    /** Float lanes per vector: 2, 4, 8 or 16. */
    static final int LANES = F.length();
    /** Int species of the same shape as {@link #F}. */
    static final VectorSpecies<Integer> I = F.withLanes(int.class);
    /** Byte species of one group: as many lanes as floats, but at least 8 bytes. */
    static final VectorSpecies<Byte> B =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(LANES, 8) * 8));
    /** Bytes per group. */
    static final int GROUP = B.length();
    /** Float vectors per group. */
    static final int PARTS = GROUP / LANES;
    /** Short species for half-precision rows: as many lanes as floats, but at least 64 bits. */
    static final VectorSpecies<Short> S =
            VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(LANES, 4) * 16));
    /** Float vectors per short vector. */
    static final int SHORT_PARTS = S.length() / LANES;

    /**
     * For {@link #sumLanes}: {@code FOLD_h} moves lane i + h (mod lanes) to lane i; null where the
     * vector has no more than h lanes.
     */
    private static final VectorShuffle<Float> FOLD_8 = fold(8);
    private static final VectorShuffle<Float> FOLD_4 = fold(4);
    private static final VectorShuffle<Float> FOLD_2 = fold(2);
    private static final VectorShuffle<Float> FOLD_1 = fold(1);

    private static VectorShuffle<Float> fold(int half) {
        return half < LANES ? VectorShuffle.fromOp(F, i -> (i + half) % LANES) : null;
    }

    /**
     * The sum of all lanes in a fixed pairwise order. {@code reduceLanes(ADD)} may add floats in
     * any order, and the interpreter, C1 and C2 do differ: results would then depend on how warm
     * the JIT is, breaking reproducible and batch-invariant outputs.
     *
     * <p>Straight-line calls with constant shuffles, not a loop over an array of them: each
     * method stays under C2's 35-byte limit for inlining call sites it does not see as hot (a
     * kernel's single final sum often is not). Out of line, the vector argument is boxed: the
     * Q4_0 dot was seen running 5x slower in some JVM runs, allocating on every call.
     */
    static float sumLanes(FloatVector v) {
        return fold(fold(fold(fold(v, FOLD_8), FOLD_4), FOLD_2), FOLD_1).lane(0);
    }

    /**
     * {@link #sumLanes(FloatVector)} of the vector stored at {@code lanes[off ..+LANES)}, bit for
     * bit, in scalar code: lane 0 of each fold only ever adds lanes below the fold's width, so the
     * same pairs are added in the same order. Overwrites the stored lanes. For callers that must
     * stay free of vector code (see the class comment on C2's inlining budget).
     */
    static float sumLanes(float[] lanes, int off) {
        for (int half = LANES / 2; half >= 1; half /= 2) {
            for (int i = 0; i < half; i++) {
                lanes[off + i] = lanes[off + i] + lanes[off + i + half];
            }
        }
        return lanes[off];
    }

    /** {@code v} plus {@code v} rearranged by {@code step}; {@code v} when there is no such step. */
    private static FloatVector fold(FloatVector v, VectorShuffle<Float> step) {
        return step == null ? v : v.add(v.rearrange(step));
    }

    /** A little-endian IEEE half at {@code off}, widened. */
    static float half(MemorySegment seg, long off) {
        return Float.float16ToFloat(seg.get(SHORT_LE, off));
    }

    static ByteVector loadGroup(MemorySegment seg, long off) {
        return ByteVector.fromMemorySegment(B, seg, off, LE);
    }

    /**
     * 1.5·2^23: adding it to a float of magnitude below 2^22 and subtracting it again rounds that
     * float to an integer, ties to even, exactly as {@link Math#rint} does.
     */
    private static final float ROUNDING_BIAS = 12582912f;

    /**
     * {@link Math#rint} of each lane, for lanes of magnitude below 2^22 (scaled activations are at
     * most 127), infinities and NaN. The sign is copied back so that (-0.5, 0) rounds to -0.
     */
    static FloatVector rint(FloatVector v) {
        FloatVector rounded = v.add(ROUNDING_BIAS).sub(ROUNDING_BIAS);
        IntVector sign = v.reinterpretAsInts().and(Integer.MIN_VALUE);
        return rounded.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    static FloatVector loadX(float[] x, int off) {
        return FloatVector.fromArray(F, x, off);
    }

    /** Signed bytes of {@code part} of a group, as floats. */
    static FloatVector toFloats(ByteVector group, int part) {
        return (FloatVector) group.convertShape(VectorOperators.B2F, F, part);
    }

    /**
     * Signed bytes {@code e .. e+LANES} of the run at {@code base} as floats ({@code e} a multiple
     * of {@link #LANES}): one group load and one widening (the part folds to 0 unless groups hold
     * several float vectors).
     */
    static FloatVector bytesAsFloats(MemorySegment seg, long base, int e) {
        int part = PARTS == 1 ? 0 : (e % GROUP) / LANES;
        return toFloats(loadGroup(seg, base + (e - e % GROUP)), part);
    }

    static ByteVector lowNibbles(ByteVector v) {
        return v.and((byte) 0x0F);
    }

    /**
     * The high nibble of every byte. x86 has no byte shift, so shift 32-bit lanes and mask off what
     * crossed from the neighbouring byte.
     */
    static ByteVector highNibbles(ByteVector v) {
        return shiftRightInBytes(v, 4).and((byte) 0x0F);
    }

    /**
     * Shifts every byte right by {@code bits} through a 32-bit shift; the top {@code bits} of each
     * byte then hold garbage from its neighbour, so callers mask.
     */
    static ByteVector shiftRightInBytes(ByteVector v, int bits) {
        return v.reinterpretAsInts().lanewise(VectorOperators.LSHR, bits).reinterpretAsBytes();
    }

    /** Like {@link #shiftRightInBytes} but to the left; the low {@code bits} need masking. */
    static ByteVector shiftLeftInBytes(ByteVector v, int bits) {
        return v.reinterpretAsInts().lanewise(VectorOperators.LSHL, bits).reinterpretAsBytes();
    }

    /** Lanes whose byte has bit {@code bit} set. */
    static VectorMask<Byte> bitSet(ByteVector v, int bit) {
        return v.and((byte) (1 << bit)).compare(VectorOperators.NE, (byte) 0);
    }

    /** Lanes whose byte has bit {@code bit} clear. */
    static VectorMask<Byte> bitClear(ByteVector v, int bit) {
        return v.and((byte) (1 << bit)).compare(VectorOperators.EQ, (byte) 0);
    }

    /** Lane i is set when bit i of {@code bits} is (only the low {@link #GROUP} bits count). */
    static VectorMask<Byte> maskOfBits(long bits) {
        return VectorMask.fromLong(B, bits);
    }

    /** Shorts of {@code part} of a short vector, sign-extended to ints. */
    static IntVector toInts(ShortVector v, int part) {
        return (IntVector) v.convertShape(VectorOperators.S2I, I, part);
    }

    /**
     * IEEE half bit patterns (in the low 16 bits of each lane, sign-extended or not) to floats.
     * Shifting the exponent and mantissa into float position and multiplying by 2^112 rebases the
     * exponent and also turns half subnormals into the right float; infinities and NaNs keep an
     * all-ones exponent.
     */
    static FloatVector halfBitsToFloats(IntVector h) {
        IntVector magnitude = h.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        FloatVector finite = shifted.reinterpretAsFloats().mul(0x1p112f);
        IntVector bits = finite.reinterpretAsInts()
                .blend(shifted.or(0x7F800000), magnitude.compare(VectorOperators.GE, 0x7C00));
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        return bits.or(sign).reinterpretAsFloats();
    }

    /** Byte {@code index} (0..7) of a packed long, unsigned. */
    static int byteOf(long packed, int index) {
        return (int) (packed >>> (index << 3)) & 0xFF;
    }

    /**
     * A block scale for quantizing: clamped to the finite halves, -0 made +0 (an all-zero block
     * divides 0 by a negative level count and would otherwise decode to -0s).
     */
    static short toHalf(float value) {
        float clamped = Math.max(-65504f, Math.min(65504f, value));
        return Float.floatToFloat16(clamped + 0f);
    }

    static void checkRow(GgmlType type, int n, MemorySegment dst, long dstOff) {
        if (n < 0 || n % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " quantizes whole blocks of " + type.blockSize()
                    + " values, got " + n);
        }
        long bytes = type.byteSize(n);
        if (dstOff < 0 || dstOff > dst.byteSize() - bytes) {
            throw new IllegalArgumentException(type + " row of " + n + " values needs " + bytes
                    + " bytes at offset " + dstOff + ", segment has " + dst.byteSize());
        }
    }
}
