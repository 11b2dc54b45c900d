package dev.quill.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FastExpTest {

    @Test
    void staysWithinAboutOneFloatUlpOfMathExp() {
        Random random = new Random(1);
        for (int i = 0; i < 200_000; i++) {
            float x = -87f * random.nextFloat();
            double exact = Math.exp(x);
            double relativeError = Math.abs(FastExp.expNonPositive(x) - exact) / exact;
            assertTrue(relativeError < 1.2e-7, "x = " + x + ": relative error " + relativeError);
        }
    }

    @Test
    void isExactAtZeroAndZeroFarBelow() {
        assertEquals(1f, FastExp.expNonPositive(0f));
        assertEquals(1f, FastExp.expNonPositive(-0f));
        assertEquals(0f, FastExp.expNonPositive(Float.NEGATIVE_INFINITY));
        assertEquals(0f, FastExp.expNonPositive(-200f));
        assertTrue(FastExp.expNonPositive(-100f) > 0f, "e^-100 is a float denormal, not zero");
    }
}
