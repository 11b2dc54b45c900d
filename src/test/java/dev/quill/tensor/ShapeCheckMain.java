package dev.quill.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Runs the dot checks, and the batched product's bit-for-bit check against dot, for every type in
 * this JVM and exits non-zero on a mismatch. {@link VectorShapeTest} starts it with narrower vectors ({@code -XX:MaxVectorSize}) than the
 * test JVM's.
 */
public final class ShapeCheckMain {
    private ShapeCheckMain() {
    }

    public static void main(String[] args) {
        List<String> failures = new ArrayList<>();
        Random rnd = new Random(42);
        try (ThreadPool pool = new ThreadPool(1)) {
            for (GgmlType type : KernelChecks.TYPES) {
                WeightMatrix m = KernelChecks.randomWeights(type, 2, rnd);
                failures.addAll(KernelChecks.checkDots(m, rnd));
                // One block more: the other parity of the block count.
                int cols = KernelChecks.testCols(type) + type.blockSize();
                WeightMatrix longer = WeightMatrix.of(type, KernelChecks.randomMatrix(type, 2, cols, rnd), 2, cols);
                for (int batch : new int[] {2, 5}) {
                    failures.addAll(KernelChecks.checkMatMul(m, batch, rnd, pool));
                    failures.addAll(KernelChecks.checkMatMul(longer, batch, rnd, pool));
                }
            }
        }
        System.out.println("lanes=" + Simd.LANES + " group=" + Simd.GROUP + " parts=" + Simd.PARTS);
        failures.forEach(System.out::println);
        System.exit(failures.isEmpty() ? 0 : 1);
    }
}
