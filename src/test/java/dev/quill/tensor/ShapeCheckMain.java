package dev.quill.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Runs the dot checks for every type in this JVM and exits non-zero on a mismatch.
 * {@link VectorShapeTest} starts it with narrower vectors ({@code -XX:MaxVectorSize}) than the
 * test JVM's.
 */
public final class ShapeCheckMain {
    private ShapeCheckMain() {
    }

    public static void main(String[] args) {
        List<String> failures = new ArrayList<>();
        Random rnd = new Random(42);
        for (GgmlType type : KernelChecks.TYPES) {
            failures.addAll(KernelChecks.checkDots(KernelChecks.randomWeights(type, 2, rnd), rnd));
        }
        System.out.println("lanes=" + Simd.LANES + " group=" + Simd.GROUP + " parts=" + Simd.PARTS);
        failures.forEach(System.out::println);
        System.exit(failures.isEmpty() ? 0 : 1);
    }
}
