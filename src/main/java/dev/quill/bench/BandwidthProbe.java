package dev.quill.bench;

import dev.quill.tensor.ThreadPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the machine's memory read bandwidth the way inference reads weights: every thread of a
 * pool streams its share of an off-heap buffer far larger than the caches.
 */
public final class BandwidthProbe {
    private static final VectorSpecies<Long> SPECIES = LongVector.SPECIES_PREFERRED;
    public static final long DEFAULT_BYTES = 1L << 30;

    private BandwidthProbe() {
    }

    /** Best-of-{@code repeats} read bandwidth in bytes per second. */
    public static double measure(ThreadPool pool, long bytes, int repeats) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(bytes, 64);
            buffer.fill((byte) 1);
            int chunks = pool.threads() * 64;
            long chunkBytes = bytes / chunks / 64 * 64;
            long[] sinks = new long[chunks];
            double best = 0;
            for (int r = 0; r < repeats + 1; r++) {
                long t0 = System.nanoTime();
                pool.parallelFor(chunks, (from, to) -> {
                    for (int c = from; c < to; c++) {
                        sinks[c] = sum(buffer, c * chunkBytes, chunkBytes);
                    }
                });
                long t1 = System.nanoTime();
                if (r > 0) {
                    best = Math.max(best, chunks * chunkBytes * 1e9 / (t1 - t0));
                }
            }
            long check = 0;
            for (long s : sinks) {
                check += s;
            }
            if (check == 42) {
                System.out.print("");
            }
            return best;
        }
    }

    private static long sum(MemorySegment seg, long off, long len) {
        LongVector acc = LongVector.zero(SPECIES);
        long step = SPECIES.vectorByteSize();
        long end = off + len - step * 4;
        long i = off;
        LongVector a1 = LongVector.zero(SPECIES);
        LongVector a2 = LongVector.zero(SPECIES);
        LongVector a3 = LongVector.zero(SPECIES);
        for (; i <= end; i += step * 4) {
            acc = acc.add(LongVector.fromMemorySegment(SPECIES, seg, i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(LongVector.fromMemorySegment(SPECIES, seg, i + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(LongVector.fromMemorySegment(SPECIES, seg, i + 2 * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(LongVector.fromMemorySegment(SPECIES, seg, i + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        long s = acc.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
        for (; i < off + len; i += 8) {
            s += seg.get(ValueLayout.JAVA_LONG_UNALIGNED, i);
        }
        return s;
    }
}
