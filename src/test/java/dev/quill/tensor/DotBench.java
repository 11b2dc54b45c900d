package dev.quill.tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.lang.management.ManagementFactory;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;

/**
 * Manual single-thread throughput check of the dot kernels (not a test): for each type, a
 * 1024 x 4096 random matrix ({@code -Drows}, {@code -Dcols}), mat-vec timed after warm-up, then the fast/reference check on the
 * compiled code; with {@code -Dbatch=N} (default 8, 1 = off) also the batched product of N
 * vectors, per vector against mat-vec. Run: {@code java --add-modules=jdk.incubator.vector -cp target/classes:target/test-classes
 * dev.quill.tensor.DotBench [TYPE...]}.
 */
public final class DotBench {
    private DotBench() {
    }

    private static MemorySegment map(MemorySegment content) {
        try {
            Path file = Files.createTempFile("quill-bench", ".bin");
            file.toFile().deleteOnExit();
            Files.write(file, content.toArray(ValueLayout.JAVA_BYTE));
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                return channel.map(FileChannel.MapMode.READ_ONLY, 0, content.byteSize(), Arena.ofAuto());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Thread CPU seconds per call of {@code work}. Warm-up runs at least 3 s and then until a call
     * allocates (nearly) nothing, i.e. until C2 has compiled the kernels: on a loaded machine the
     * compiler threads may need much longer than the 3 s, and timing boxed interpreter code says
     * nothing about the kernels.
     */
    private static double timePerCall(Runnable work) {
        com.sun.management.ThreadMXBean cpu = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long warmStart = cpu.getCurrentThreadCpuTime();
        long wallLimit = System.nanoTime() + 120_000_000_000L;
        long allocated;
        do {
            long before = cpu.getCurrentThreadAllocatedBytes();
            work.run();
            allocated = cpu.getCurrentThreadAllocatedBytes() - before;
        } while ((cpu.getCurrentThreadCpuTime() - warmStart < 3_000_000_000L || allocated > 1024)
                && System.nanoTime() < wallLimit);
        int reps = 0;
        long start = cpu.getCurrentThreadCpuTime();
        do {
            work.run();
            reps++;
        } while (cpu.getCurrentThreadCpuTime() - start < 1_000_000_000L);
        return (cpu.getCurrentThreadCpuTime() - start) / 1e9 / reps;
    }

    public static void main(String[] args) {
        List<GgmlType> types = args.length == 0 ? List.of(KernelChecks.TYPES)
                : java.util.Arrays.stream(args).map(GgmlType::valueOf).toList();
        Random rnd = new Random(1);
        int rows = Integer.getInteger("rows", 1024);
        int cols = Integer.getInteger("cols", 4096);
        float[] x = KernelChecks.randomVector(cols, rnd);
        float[] out = new float[rows];
        int batch = Integer.getInteger("batch", 8);
        float[] xs = KernelChecks.randomVector(cols * batch, rnd);
        float[] outs = new float[rows * batch];
        System.out.println("lanes=" + Simd.LANES);
        int mapped = 0;
        try (ThreadPool pool = new ThreadPool(1)) {
            for (GgmlType type : types) {
                // Alternately from a mapped file (as in use) and from an arena, so that both
                // native segment kinds reach the kernels.
                MemorySegment heap = KernelChecks.randomMatrix(type, rows, cols, rnd);
                String kind = System.getProperty("segments", "alternate");
                boolean useMap = kind.equals("mapped") || kind.equals("alternate") && mapped++ % 2 == 0;
                MemorySegment seg = useMap ? map(heap) : Arena.ofAuto().allocate(heap.byteSize(), 64).copyFrom(heap);
                WeightMatrix m = WeightMatrix.of(type, seg, rows, cols);
                // Thread CPU time, not wall time: the machine may be shared, and time spent
                // descheduled says nothing about the kernel.
                // One reused product, as the engine's forward pass has: WeightMatrix.matVec makes a new
                // one (and its aligned input copy) per call, which the warm-up would wait out.
                MatrixProduct product = new MatrixProduct();
                double seconds = timePerCall(() -> product.matVec(m, x, 0, out, 0, pool));
                List<String> failures = KernelChecks.checkDots(m, rnd);
                System.out.printf("%-5s %7.3f ms/matvec  %6.2f GB/s  %6.2f Gweights/s %s%n", type, seconds * 1e3,
                        m.byteSize() / seconds / 1e9, (double) rows * cols / seconds / 1e9,
                        failures.isEmpty() ? "ok" : failures);
                if (batch > 1) {
                    double batched = timePerCall(() -> product.matMul(m, xs, cols, batch, outs, rows, pool));
                    System.out.printf("%-5s %7.3f ms/matmul of %d vectors  %6.2f Gweights/s per vector (%.2fx matvec)%n",
                            type, batched * 1e3, batch, (double) rows * cols * batch / batched / 1e9,
                            seconds * batch / batched);
                }
            }
        }
    }
}
