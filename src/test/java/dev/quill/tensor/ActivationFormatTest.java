package dev.quill.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The vector conversions of activations to 8-bit blocks give the scalar reference's bits. */
class ActivationFormatTest {
    /** Blocks built to hit the edges: ties, tiny and huge scales, signed zeros, NaN, infinities. */
    private static float[] awkwardValues(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian() * (float) Math.pow(10, rnd.nextInt(-3, 4));
        }
        for (int block = 0; block + 32 <= n; block += 32) {
            switch ((block / 32) % 12) {
                case 0 -> {
                    // max 127: the scale is 1, and x.5 values are ties that round to even.
                    v[block] = 127f;
                    for (int i = 1; i < 32; i++) {
                        v[block + i] = (i - 16) + 0.5f;
                    }
                }
                case 1 -> java.util.Arrays.fill(v, block, block + 32, 0f);
                case 2 -> {
                    java.util.Arrays.fill(v, block, block + 32, -0f);
                    v[block + 5] = 1f;
                    v[block + 6] = -0.001f; // rounds to -0
                }
                case 3 -> v[block + 7] = Float.NaN;
                case 4 -> v[block + 3] = Float.POSITIVE_INFINITY;
                case 5 -> v[block + 9] = Float.NEGATIVE_INFINITY;
                case 6 -> {
                    for (int i = 0; i < 32; i++) {
                        v[block + i] = Float.MIN_VALUE * (i - 7); // subnormal: 127 / max overflows
                    }
                }
                case 7 -> {
                    // The same magnitude twice with both signs: the first one sets Q8_K's sign.
                    v[block + 2] = -1000f;
                    v[block + 20] = 1000f;
                }
                default -> { }
            }
        }
        return v;
    }

    @Test
    void q8_0VectorBlocksGiveTheScalarBits() {
        float[] src = awkwardValues(32 * 96, 1);
        for (int b = 0; b < src.length; b += 32) {
            float[] expected = new float[32];
            float[] actual = new float[32];
            ActivationFormat.quantizeQ8_0Block(src, b, expected, 0);
            ActivationFormat.quantizeQ8_0BlockVector(src, b, actual, 0);
            assertArrayEquals(expected, actual, "block at " + b);
        }
    }

    @Test
    void q8_KVectorBlocksGiveTheScalarBits() {
        for (long seed = 1; seed <= 40; seed++) {
            float[] src = awkwardValues(256, seed);
            // Spread the special blocks' values over the 256 so each block sees different mixes.
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int i = 255; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                float t = src[i];
                src[i] = src[j];
                src[j] = t;
            }
            if (seed % 5 == 0) {
                java.util.Arrays.fill(src, 0f);
            }
            float[] expected = new float[256];
            float[] actual = new float[256];
            ActivationFormat.quantizeQ8_KBlock(src, 0, expected, 0);
            ActivationFormat.quantizeQ8_KBlockVector(src, 0, actual, 0);
            assertArrayEquals(expected, actual, "seed " + seed);
        }
    }

    @Test
    void roundTripConvertsEveryRowAndTiesRoundToEven() {
        float[] src = new float[2 * 32];
        src[0] = 127f;
        src[1] = 2.5f;
        src[2] = -3.5f;
        src[3] = -0.25f;
        src[32] = -64f;
        src[33] = 1f;
        float[] dst = new float[src.length];
        ActivationFormat.Q8_0.roundTrip(src, 0, dst, 0, 2, 32);
        assertEquals(2f, dst[1], "2.5 rounds to even");
        assertEquals(-4f, dst[2], "-3.5 rounds to even");
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(dst[3]), "-0.25 rounds to -0");
        // Second row: scale 64/127 stored as a half; 1 becomes round(127/64) = 2 steps.
        float step = Float.float16ToFloat(Float.floatToFloat16(64f / 127f));
        assertEquals(-127 * step, dst[32]);
        assertEquals(2 * step, dst[33]);
    }
}
