package dev.quill.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SimdTest {
    /**
     * The scalar lane sum stands in for the vector one in the tiled kernel's final sums, so it must
     * give the same bits; values of very different magnitudes make any other order show.
     */
    @Test
    void scalarLaneSumEqualsVectorLaneSumBitForBit() {
        Random rnd = new Random(7);
        int orderSensitive = 0;
        for (int trial = 0; trial < 2000; trial++) {
            float[] lanes = new float[Simd.LANES];
            for (int i = 0; i < lanes.length; i++) {
                lanes[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(12) - 6));
            }
            float vector = Simd.sumLanes(Simd.loadX(lanes, 0));
            float sequential = 0f;
            for (float lane : lanes) {
                sequential += lane;
            }
            if (Float.floatToRawIntBits(sequential) != Float.floatToRawIntBits(vector)) {
                orderSensitive++;
            }
            float[] copy = new float[lanes.length + 3];
            System.arraycopy(lanes, 0, copy, 3, lanes.length);
            assertEquals(Float.floatToRawIntBits(vector), Float.floatToRawIntBits(Simd.sumLanes(copy, 3)),
                    "trial " + trial);
        }
        // The data must be able to tell summation orders apart, or the check above proves nothing.
        if (Simd.LANES > 2) {
            assertNotEquals(0, orderSensitive);
        }
    }
}
