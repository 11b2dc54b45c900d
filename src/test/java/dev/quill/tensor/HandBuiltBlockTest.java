package dev.quill.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.IntVector;
import org.junit.jupiter.api.Test;

/**
 * One block per type built byte by byte, with the expected values worked out here from the ggml
 * format description (ggml-common.h / ggml-quants.c), not by calling the code under test. Scales
 * are powers of two and quants small integers, so every expected value is exact in float and the
 * comparisons are exact. Each block is also checked through the fast {@code dot} with one-hot
 * vectors, which must pick out exactly the same value.
 */
class HandBuiltBlockTest {
    // IEEE halves, little-endian byte pairs.
    private static final int HALF_ONE = 0x3C00;
    private static final int HALF_HALF = 0x3800;
    private static final int HALF_QUARTER = 0x3400;
    private static final int HALF_MINUS_ONE = 0xBC00;
    private static final int HALF_TWO = 0x4000;

    private static void putHalf(byte[] block, int at, int half) {
        block[at] = (byte) half;
        block[at + 1] = (byte) (half >>> 8);
    }

    /** Byte pattern i*37 mod 256: every bit position varies, and it is easy to recompute by hand. */
    private static int pattern37(int i) {
        return (i * 37) & 0xFF;
    }

    private static int pattern53(int i) {
        return (i * 53) & 0xFF;
    }

    private static float[] decode(GgmlType type, byte[] bytes, int cols) {
        WeightMatrix m = WeightMatrix.of(type, MemorySegment.ofArray(bytes), 1, cols);
        float[] out = new float[cols];
        m.dequantizeRow(0, out, 0);
        return out;
    }

    /** Decodes, compares with {@code expected}, then checks dot(one-hot e_i) == expected[i]. */
    private static float[] assertDecodes(GgmlType type, byte[] bytes, float[] expected) {
        int cols = expected.length;
        float[] out = decode(type, bytes, cols);
        assertArrayEquals(expected, out, type + " decode");
        WeightMatrix m = WeightMatrix.of(type, MemorySegment.ofArray(bytes), 1, cols);
        float[] x = new float[cols + 1];
        for (int i = 0; i < cols; i++) {
            x[i + 1] = 1f;
            // "+ 0f" turns -0 into +0: a sum that starts from zero cannot give -0.
            assertEquals(expected[i] + 0f, m.dot(0, x, 1), type + " dot with e_" + i);
            x[i + 1] = 0f;
        }
        return out;
    }

    @Test
    void f32() {
        byte[] bytes = {0, 0, (byte) 0xC0, 0x3F, 0, 0, 0x10, (byte) 0xC0}; // 1.5f, -2.25f
        assertDecodes(GgmlType.F32, bytes, new float[] {1.5f, -2.25f});
    }

    @Test
    void f16IncludingSubnormalsAndExtremes() {
        int[] halves = {0x3C00, 0xC000, 0x3800, 0x0001, 0x7BFF, 0x8000, 0x0400, 0x3555, 0x83FF};
        float[] expected = {1f, -2f, 0.5f, 0x1p-24f, 65504f, -0f, 0x1p-14f, 0.333251953125f, -1023 * 0x1p-24f};
        byte[] bytes = new byte[2 * halves.length];
        for (int i = 0; i < halves.length; i++) {
            putHalf(bytes, 2 * i, halves[i]);
        }
        assertDecodes(GgmlType.F16, bytes, expected);
        // Infinity and NaN decode too (not through dot, where 0 * inf would poison the sum).
        byte[] special = new byte[4];
        putHalf(special, 0, 0xFC00);
        putHalf(special, 2, 0x7E00);
        float[] out = decode(GgmlType.F16, special, 2);
        assertEquals(Float.NEGATIVE_INFINITY, out[0]);
        assertTrue(Float.isNaN(out[1]));
    }

    @Test
    void vectorHalfConversionMatchesScalarForEveryBitPattern() {
        // The fast F16 path converts with integer tricks; compare all 65536 patterns with the JDK.
        int[] bits = new int[Simd.LANES];
        for (int base = 0; base < 65536; base += Simd.LANES) {
            for (int i = 0; i < Simd.LANES; i++) {
                bits[i] = (short) (base + i); // sign-extended, as the kernel's S2I gives them
            }
            float[] fast = Simd.halfBitsToFloats(IntVector.fromArray(Simd.I, bits, 0)).toArray();
            for (int i = 0; i < Simd.LANES; i++) {
                float expected = Float.float16ToFloat((short) (base + i));
                if (Float.isNaN(expected)) {
                    assertTrue(Float.isNaN(fast[i]), "pattern " + (base + i));
                } else {
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(fast[i]),
                            "pattern 0x" + Integer.toHexString(base + i));
                }
            }
        }
    }

    @Test
    void bf16() {
        int[] halves = {0x3F80, 0xC040, 0x4049, 0x0001, 0x8000};
        float[] expected = {1f, -3f, 3.140625f, 0x1p-133f, -0f};
        byte[] bytes = new byte[2 * halves.length];
        for (int i = 0; i < halves.length; i++) {
            putHalf(bytes, 2 * i, halves[i]);
        }
        assertDecodes(GgmlType.BF16, bytes, expected);
    }

    @Test
    void q8_0() {
        byte[] block = new byte[34];
        putHalf(block, 0, HALF_HALF);
        for (int i = 0; i < 32; i++) {
            block[2 + i] = (byte) (i - 16);
        }
        block[2] = -128;
        block[2 + 31] = 127;
        float[] expected = new float[32];
        for (int i = 0; i < 32; i++) {
            expected[i] = block[2 + i] * 0.5f;
        }
        float[] out = assertDecodes(GgmlType.Q8_0, block, expected);
        assertEquals(-64f, out[0]);
        assertEquals(-5.5f, out[5]);
        assertEquals(63.5f, out[31]);
    }

    @Test
    void q4_0() {
        byte[] block = new byte[18];
        putHalf(block, 0, HALF_QUARTER);
        for (int j = 0; j < 16; j++) {
            block[2 + j] = (byte) (j | (15 - j) << 4);
        }
        // Low nibble j -> value j, high nibble -> value j + 16; value = (q - 8) * d.
        float[] expected = new float[32];
        for (int j = 0; j < 16; j++) {
            expected[j] = (j - 8) * 0.25f;
            expected[j + 16] = ((15 - j) - 8) * 0.25f;
        }
        float[] out = assertDecodes(GgmlType.Q4_0, block, expected);
        assertEquals(-2f, out[0]);
        assertEquals(1.75f, out[15]);
        assertEquals(1.75f, out[16]);
        assertEquals(-2f, out[31]);
    }

    @Test
    void q4_1() {
        byte[] block = new byte[20];
        putHalf(block, 0, HALF_HALF);
        putHalf(block, 2, HALF_MINUS_ONE);
        for (int j = 0; j < 16; j++) {
            block[4 + j] = (byte) (j | (15 - j) << 4);
        }
        float[] expected = new float[32];
        for (int j = 0; j < 16; j++) {
            expected[j] = j * 0.5f - 1f;
            expected[j + 16] = (15 - j) * 0.5f - 1f;
        }
        float[] out = assertDecodes(GgmlType.Q4_1, block, expected);
        assertEquals(-1f, out[0]);
        assertEquals(6.5f, out[16]);
    }

    /** qh = bytes 01 80 FF 00: fifth bits set for values 0, 15 and 16..23. */
    private static final byte[] FIFTH_BITS = {0x01, (byte) 0x80, (byte) 0xFF, 0x00};

    private static int fifthBit(int value) {
        int qh = (FIFTH_BITS[0] & 0xFF) | (FIFTH_BITS[1] & 0xFF) << 8 | (FIFTH_BITS[2] & 0xFF) << 16;
        return (qh >>> value) & 1;
    }

    @Test
    void q5_0() {
        byte[] block = new byte[22];
        putHalf(block, 0, HALF_ONE);
        System.arraycopy(FIFTH_BITS, 0, block, 2, 4);
        for (int j = 0; j < 16; j++) {
            block[6 + j] = (byte) (j | (15 - j) << 4);
        }
        float[] expected = new float[32];
        for (int j = 0; j < 16; j++) {
            expected[j] = (j | fifthBit(j) << 4) - 16;
            expected[j + 16] = ((15 - j) | fifthBit(j + 16) << 4) - 16;
        }
        float[] out = assertDecodes(GgmlType.Q5_0, block, expected);
        assertEquals(0f, out[0]);
        assertEquals(-15f, out[1]);
        assertEquals(15f, out[15]);
        assertEquals(15f, out[16]);
        assertEquals(8f, out[23]);
        assertEquals(-9f, out[24]);
    }

    @Test
    void q5_1() {
        byte[] block = new byte[24];
        putHalf(block, 0, HALF_HALF);
        putHalf(block, 2, HALF_TWO);
        System.arraycopy(FIFTH_BITS, 0, block, 4, 4);
        for (int j = 0; j < 16; j++) {
            block[8 + j] = (byte) (j | (15 - j) << 4);
        }
        float[] expected = new float[32];
        for (int j = 0; j < 16; j++) {
            expected[j] = (j | fifthBit(j) << 4) * 0.5f + 2f;
            expected[j + 16] = ((15 - j) | fifthBit(j + 16) << 4) * 0.5f + 2f;
        }
        float[] out = assertDecodes(GgmlType.Q5_1, block, expected);
        assertEquals(10f, out[0]);
        assertEquals(2.5f, out[1]);
    }

    @Test
    void q2_K() {
        byte[] block = new byte[84];
        for (int s = 0; s < 16; s++) {
            block[s] = (byte) (s | (15 - s) << 4); // scale s, min 15 - s
        }
        for (int i = 0; i < 64; i++) {
            block[16 + i] = (byte) pattern37(i);
        }
        putHalf(block, 80, HALF_HALF);
        putHalf(block, 82, HALF_QUARTER);
        // Value e: 2 bits of qs[32*(e/128) + e%32] at 2*((e%128)/32); value = d*scale*q - dmin*min.
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) {
            int q = (pattern37(32 * (e / 128) + e % 32) >>> (2 * ((e % 128) / 32))) & 3;
            int s = e / 16;
            expected[e] = 0.5f * s * q - 0.25f * (15 - s);
        }
        float[] out = assertDecodes(GgmlType.Q2_K, block, expected);
        assertEquals(-3.75f, out[0]);
        assertEquals(11.25f, out[201]); // qs[41] = 0xED, bits 4-5 = 2; scale 12, min 3
    }

    @Test
    void q3_K() {
        byte[] block = new byte[110];
        for (int i = 0; i < 32; i++) {
            block[i] = (byte) pattern53(i); // hmask
        }
        for (int i = 0; i < 64; i++) {
            block[32 + i] = (byte) pattern37(i); // qs
        }
        // Six-bit scales 4s+1 (1, 5, ..., 61): low nibbles of s and s+8 share byte s%8, the high
        // bit pairs (0,0,0,0,1,1,1,1,2,2,2,2,3,3,3,3) pack as 0b11_10_01_00 into bytes 8..11.
        byte[] scales = {0x11, 0x55, (byte) 0x99, (byte) 0xDD, 0x11, 0x55, (byte) 0x99, (byte) 0xDD,
            (byte) 0xE4, (byte) 0xE4, (byte) 0xE4, (byte) 0xE4};
        System.arraycopy(scales, 0, block, 96, 12);
        putHalf(block, 108, HALF_HALF);
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) {
            int low = (pattern37(32 * (e / 128) + e % 32) >>> (2 * ((e % 128) / 32))) & 3;
            int third = (pattern53(e % 32) >>> (e / 32)) & 1;
            int q = low - (third == 1 ? 0 : 4);
            int scale = 4 * (e / 16) + 1 - 32;
            expected[e] = 0.5f * scale * q;
        }
        float[] out = assertDecodes(GgmlType.Q3_K, block, expected);
        assertEquals(62f, out[0]); // scale -31, q = 0 - 4
        assertEquals(34.5f, out[33]); // scale -23, qs[1] bits 2-3 = 1, hmask[1] bit 1 clear: q = -3
        assertEquals(-58f, out[255]); // scale 29, q = -4
    }

    /** Scales 1,2,3,4,17,33,49,63 and mins 0,5,10,15,20,40,60,63 packed by hand. */
    private static final byte[] K_SCALES = {0x41, (byte) 0x82, (byte) 0xC3, (byte) 0xC4, 0x40, (byte) 0x85,
        (byte) 0xCA, (byte) 0xCF, 0x41, (byte) 0x81, (byte) 0xC1, (byte) 0xFF};
    private static final int[] K_SCALE = {1, 2, 3, 4, 17, 33, 49, 63};
    private static final int[] K_MIN = {0, 5, 10, 15, 20, 40, 60, 63};

    @Test
    void q4_K() {
        byte[] block = new byte[144];
        putHalf(block, 0, HALF_HALF);
        putHalf(block, 2, HALF_QUARTER);
        System.arraycopy(K_SCALES, 0, block, 4, 12);
        for (int i = 0; i < 128; i++) {
            block[16 + i] = (byte) pattern37(i);
        }
        // Value e: nibble of qs[32*(e/64) + e%32], low for even sub-block e/32, high for odd.
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) {
            int s = e / 32;
            int packed = pattern37(32 * (e / 64) + e % 32);
            int q = s % 2 == 0 ? packed & 0x0F : packed >>> 4;
            expected[e] = 0.5f * K_SCALE[s] * q - 0.25f * K_MIN[s];
        }
        float[] out = assertDecodes(GgmlType.Q4_K, block, expected);
        assertEquals(2.5f, out[1]); // qs[1] = 0x25: 5 * 0.5
        assertEquals(56f, out[160]); // qs[64] = 0x40 high nibble 4: 0.5*33*4 - 0.25*40
        assertEquals(141.75f, out[255]); // qs[127] = 0x5B high nibble 5: 0.5*63*5 - 0.25*63
    }

    @Test
    void q5_K() {
        byte[] block = new byte[176];
        putHalf(block, 0, HALF_HALF);
        putHalf(block, 2, HALF_QUARTER);
        System.arraycopy(K_SCALES, 0, block, 4, 12);
        for (int i = 0; i < 32; i++) {
            block[16 + i] = (byte) pattern53(i); // qh
        }
        for (int i = 0; i < 128; i++) {
            block[48 + i] = (byte) pattern37(i); // qs
        }
        // As Q4_K, plus bit e/32 of qh[e%32] as the fifth bit.
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) {
            int s = e / 32;
            int packed = pattern37(32 * (e / 64) + e % 32);
            int q = (s % 2 == 0 ? packed & 0x0F : packed >>> 4) | ((pattern53(e % 32) >>> s) & 1) << 4;
            expected[e] = 0.5f * K_SCALE[s] * q - 0.25f * K_MIN[s];
        }
        float[] out = assertDecodes(GgmlType.Q5_K, block, expected);
        assertEquals(10.5f, out[1]); // low nibble 5, qh[1] = 0x35 bit 0 set: q = 21
        assertEquals(56f, out[160]); // qh[0] = 0: as in Q4_K
        assertEquals(622f, out[194]); // qs[98] = 0x2A low nibble 10, qh[2] = 0x6A bit 6 set: q = 26
    }

    @Test
    void q6_K() {
        byte[] block = new byte[210];
        for (int i = 0; i < 128; i++) {
            block[i] = (byte) pattern37(i); // ql
        }
        for (int i = 0; i < 64; i++) {
            block[128 + i] = (byte) pattern53(i); // qh
        }
        for (int s = 0; s < 16; s++) {
            block[192 + s] = (byte) (17 * s - 128); // -128 .. 127
        }
        putHalf(block, 208, HALF_QUARTER);
        // Half h = e/128, quarter k = (e%128)/32, l = e%32: low 4 bits from ql[64h + l + 32*(k%2)]
        // (low nibble for k < 2), high 2 bits from bits 2k of qh[32h + l]; q = bits - 32.
        float[] expected = new float[256];
        for (int e = 0; e < 256; e++) {
            int h = e / 128;
            int k = (e % 128) / 32;
            int l = e % 32;
            int lowByte = pattern37(64 * h + l + 32 * (k % 2));
            int low = k < 2 ? lowByte & 0x0F : lowByte >>> 4;
            int high = (pattern53(32 * h + l) >>> (2 * k)) & 3;
            int q = (low | high << 4) - 32;
            expected[e] = 0.25f * (17 * (e / 16) - 128) * q;
        }
        float[] out = assertDecodes(GgmlType.Q6_K, block, expected);
        assertEquals(1024f, out[0]); // scale -128, q = -32
        assertEquals(258.5f, out[33]); // scale -94, ql[33] = 0xC5 low 5, qh[1] bits 2-3 = 1: q = -11
        assertEquals(-857.25f, out[255]); // scale 127, ql[127] = 0x5B high 5, qh[63] bits 6-7 = 0: q = -27
    }
}
