package dev.quill.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Attention's batched forms must give the one-at-a-time forms' bits: scores sixteen positions at a
 * time (a sequence takes that path for its full groups of positions and the single one for the
 * rest, so a difference would make output depend on the context length's remainder), and the
 * weighted sum of values a page of positions at a time.
 */
class AttentionOpsTest {
    @Test
    void sixteenScaledDotsEqualSixteenDotsTimesTheScaleBitForBit() {
        Assumptions.assumeTrue(FloatOps.SIXTEEN_DOTS, "16-lane vectors only");
        Random rnd = new Random(7);
        float scale = 0.125f;
        for (int n : new int[] {16, 64, 128}) {
            int stride = n + 48; // rows of the cache are wider than one head
            float[] q = new float[n + 5];
            float[] k = new float[16 * stride + 3];
            for (int i = 0; i < q.length; i++) {
                q[i] = (float) rnd.nextGaussian();
            }
            for (int i = 0; i < k.length; i++) {
                // Magnitudes over a wide range, so that a different order of additions would round differently.
                k[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
            }
            float[] out = new float[20];
            FloatOps.sixteenScaledDots(q, 5, k, 3, stride, n, scale, new float[256], out, 2);
            for (int j = 0; j < 16; j++) {
                float alone = FloatOps.dot(q, 5, k, 3 + j * stride, n) * scale;
                assertEquals(Float.floatToRawIntBits(alone), Float.floatToRawIntBits(out[2 + j]), "n=" + n + ", row " + j);
            }
            assertEquals(0f, out[0]);
            assertEquals(0f, out[18], "writes only its sixteen scores");
        }
    }

    @Test
    void axpyRowsEqualsOneAxpyPerRowBitForBit() {
        Random rnd = new Random(8);
        for (int n : new int[] {64, 128, 75, 100, 48}) {
            int stride = n + 40;
            int count = 32;
            float[] rows = new float[count * stride + 7];
            float[] alpha = new float[count + 3];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
            }
            for (int i = 0; i < alpha.length; i++) {
                alpha[i] = rnd.nextFloat();
            }
            float[] start = new float[n + 6];
            for (int i = 0; i < start.length; i++) {
                start[i] = (float) rnd.nextGaussian();
            }
            for (int rowsUsed : new int[] {1, 17, count}) {
                float[] expected = start.clone();
                for (int j = 0; j < rowsUsed; j++) {
                    FloatOps.axpy(alpha[3 + j], rows, 7 + j * stride, expected, 3, n);
                }
                float[] actual = start.clone();
                FloatOps.axpyRows(alpha, 3, rows, 7, stride, rowsUsed, actual, 3, n);
                for (int i = 0; i < start.length; i++) {
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                            "n=" + n + ", " + rowsUsed + " rows, index " + i);
                }
            }
        }
    }

    /** The checks above can fail: adding in another order changes some results on such data. */
    @Test
    void theDataTellsSummationOrdersApart() {
        Random rnd = new Random(7);
        int n = 64;
        float[] q = new float[n];
        float[] k = new float[n];
        int differing = 0;
        for (int trial = 0; trial < 100; trial++) {
            for (int i = 0; i < n; i++) {
                q[i] = (float) rnd.nextGaussian();
                k[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
            }
            float sequential = 0f;
            for (int i = 0; i < n; i++) {
                sequential += q[i] * k[i];
            }
            if (Float.floatToRawIntBits(sequential) != Float.floatToRawIntBits(FloatOps.dot(q, 0, k, 0, n))) {
                differing++;
            }
        }
        assertNotEquals(0, differing);
    }

    /**
     * The KV cache stores halves: storing rounds to the nearest half (ties to even, overflow to
     * infinity, tiny values to subnormals or zero) and loading gives that half's exact value,
     * whatever the loops compile to. Checked over many calls, so C2's vectorized loops are
     * checked too, not only the interpreter's.
     */
    @Test
    void halvesRoundTripAsJavasOwnHalfConversions() {
        float[] special = {0f, -0f, 1f, -1f, 65504f, 65520f, -65520f, 1e6f, 5.96e-8f, 2.98e-8f, 2.99e-8f, 1e-9f,
            6.1e-5f, 1.0009765625f, 1.00048828125f, 1.00146484375f, Float.NaN, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, 3.14159f, -2.71828f};
        Random rnd = new Random(11);
        int n = 1000;
        float[] values = new float[n];
        short[] halves = new short[n + 5];
        float[] back = new float[n + 3];
        for (int round = 0; round < 2000; round++) {
            for (int i = 0; i < n; i++) {
                values[i] = i < special.length ? special[i] : (float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(40) - 25));
            }
            FloatOps.floatsToHalves(values, 0, halves, 5, n);
            FloatOps.halvesToFloats(halves, 5, back, 3, n);
            for (int i = 0; i < n; i++) {
                short expected = Float.floatToFloat16(values[i]);
                if (Float.isNaN(values[i])) {
                    assertEquals(true, Float.isNaN(Float.float16ToFloat(halves[5 + i])), "NaN stays NaN");
                    assertEquals(true, Float.isNaN(back[3 + i]), "NaN stays NaN");
                    continue;
                }
                assertEquals(expected, halves[5 + i], "half of " + values[i]);
                assertEquals(Float.floatToRawIntBits(Float.float16ToFloat(expected)), Float.floatToRawIntBits(back[3 + i]),
                        "value of the half of " + values[i]);
            }
        }
        assertEquals(Float.floatToFloat16(65520f), Float.floatToFloat16(Float.POSITIVE_INFINITY), "65520 rounds to infinity");
    }
}
