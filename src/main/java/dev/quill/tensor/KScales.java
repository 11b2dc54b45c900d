package dev.quill.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The 12-byte field of Q4_K and Q5_K holding eight 6-bit scales and eight 6-bit mins. For
 * sub-block j < 4, scale j is the low 6 bits of byte j and min j the low 6 bits of byte j+4. For
 * j >= 4, the low 4 bits come from byte j+4 (scale in the low nibble, min in the high one) and the
 * high 2 bits from the top two bits of byte j-4 (scale) and byte j (min).
 */
final class KScales {
    static final int BYTES = 12;

    private KScales() {
    }

    private static int byteAt(MemorySegment seg, long offset) {
        return seg.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /** Scale of sub-block j (0..7), 0..63; the reference decode. */
    static int scale(MemorySegment seg, long field, int j) {
        if (j < 4) {
            return byteAt(seg, field + j) & 63;
        }
        return (byteAt(seg, field + j + 4) & 0x0F) | (byteAt(seg, field + j - 4) >>> 6) << 4;
    }

    /** Min of sub-block j (0..7), 0..63; the reference decode. */
    static int min(MemorySegment seg, long field, int j) {
        if (j < 4) {
            return byteAt(seg, field + j + 4) & 63;
        }
        return (byteAt(seg, field + j + 4) >>> 4) | (byteAt(seg, field + j) >>> 6) << 4;
    }

    /**
     * All eight scales, byte j of the result being scale j, from the field's little-endian ints 0
     * and 2. Shifting a whole int right by 2 moves each byte's top two bits to bits 4-5.
     */
    static long scales(int word0, int word2) {
        int first = word0 & 0x3F3F3F3F;
        int second = (word2 & 0x0F0F0F0F) | ((word0 >>> 2) & 0x30303030);
        return (first & 0xFFFFFFFFL) | (long) second << 32;
    }

    /** All eight mins, byte j of the result being min j, from the field's ints 1 and 2. */
    static long mins(int word1, int word2) {
        int first = word1 & 0x3F3F3F3F;
        int second = ((word2 >>> 4) & 0x0F0F0F0F) | ((word1 >>> 2) & 0x30303030);
        return (first & 0xFFFFFFFFL) | (long) second << 32;
    }

    /** Writes eight scales and eight mins (each 0..63) into the 12-byte field. */
    static void pack(int[] scales, int[] mins, MemorySegment seg, long field) {
        for (int j = 0; j < 4; j++) {
            int scaleHigh = scales[j + 4] >>> 4;
            int minHigh = mins[j + 4] >>> 4;
            seg.set(ValueLayout.JAVA_BYTE, field + j, (byte) (scales[j] | scaleHigh << 6));
            seg.set(ValueLayout.JAVA_BYTE, field + j + 4, (byte) (mins[j] | minHigh << 6));
            seg.set(ValueLayout.JAVA_BYTE, field + j + 8, (byte) ((scales[j + 4] & 0x0F) | (mins[j + 4] & 0x0F) << 4));
        }
    }

    /**
     * Fits one super-block of sub-blocks for a "q * d * scale - dmin * min" format with
     * {@code levels} quant levels: per sub-block an offset bringing its minimum to zero (the format
     * can only subtract) and a step spanning the rest; d and dmin map the largest of each to 63.
     * Returns {d, dmin} as stored (half-rounded) and fills the 6-bit {@code scales}/{@code mins}.
     */
    static float[] fit(float[] src, int first, int subBlocks, int subSize, int levels,
            int[] scales, int[] mins) {
        float[] steps = new float[subBlocks];
        float[] offsets = new float[subBlocks];
        float maxStep = 0f;
        float maxOffset = 0f;
        for (int s = 0; s < subBlocks; s++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < subSize; i++) {
                min = Math.min(min, src[first + s * subSize + i]);
                max = Math.max(max, src[first + s * subSize + i]);
            }
            offsets[s] = Math.max(0f, -min);
            steps[s] = Math.max(0f, max + offsets[s]) / (levels - 1);
            maxStep = Math.max(maxStep, steps[s]);
            maxOffset = Math.max(maxOffset, offsets[s]);
        }
        float d = Float.float16ToFloat(Simd.toHalf(maxStep / 63f));
        float dmin = Float.float16ToFloat(Simd.toHalf(maxOffset / 63f));
        for (int s = 0; s < subBlocks; s++) {
            scales[s] = d == 0f ? 0 : Math.clamp(Math.round(steps[s] / d), 0, 63);
            mins[s] = dmin == 0f ? 0 : Math.clamp(Math.round(offsets[s] / dmin), 0, 63);
        }
        return new float[] {d, dmin};
    }
}
