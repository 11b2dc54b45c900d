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

    /** The vector form gives the scalar form's bits, edge values included. */
    @Test
    void vectorFormMatchesScalarBitForBit() {
        Random random = new Random(2);
        int lanes = FastExp.FLOATS.length();
        float[] x = new float[lanes * 4096];
        float[] special = {0f, -0f, Float.NEGATIVE_INFINITY, Float.NaN, -110f, Math.nextDown(-110f), -Float.MIN_VALUE,
            -1e-30f, -87.33655f, -103.97f};
        for (int i = 0; i < x.length; i++) {
            x[i] = i < special.length ? special[i] : -120f * random.nextFloat() * random.nextFloat();
        }
        float[] vector = new float[x.length];
        for (int i = 0; i < x.length; i += lanes) {
            FastExp.expNonPositive(jdk.incubator.vector.FloatVector.fromArray(FastExp.FLOATS, x, i)).intoArray(vector, i);
        }
        // floatToIntBits: every other bit must match, but a NaN's sign and payload are not Java's
        // to fix (x86 keeps one operand's NaN, and which one depends on how the JIT ordered them).
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToIntBits(FastExp.expNonPositive(x[i])), Float.floatToIntBits(vector[i]),
                    "x = " + x[i]);
        }
    }

    /** SwiGLU over whole vectors and the scalar tail gives, element by element, the scalar formula's bits. */
    @Test
    void swigluMatchesTheScalarFormulaBitForBit() {
        Random random = new Random(3);
        int n = FastExp.FLOATS.length() * 37 + 5;
        float[] gate = new float[n + 2];
        float[] up = new float[n + 3];
        for (int i = 0; i < gate.length; i++) {
            gate[i] = (float) random.nextGaussian() * 8f;
        }
        gate[2] = -0f;
        gate[3] = Float.NEGATIVE_INFINITY;
        gate[4] = 0f;
        gate[5] = Float.NaN;
        for (int i = 0; i < up.length; i++) {
            up[i] = (float) random.nextGaussian();
        }
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            float g = gate[2 + i];
            float e = FastExp.expNonPositive(-Math.abs(g));
            expected[i] = (g >= 0 ? g / (1f + e) : g * e / (1f + e)) * up[3 + i];
        }
        FloatOps.swiglu(gate, 2, up, 3, n);
        for (int i = 0; i < n; i++) {
            // As above: NaNs compare as one (seen: the NaN element came out +NaN or -NaN by test order).
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(gate[2 + i]), "element " + i);
        }
    }
}
