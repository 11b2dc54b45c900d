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
}
