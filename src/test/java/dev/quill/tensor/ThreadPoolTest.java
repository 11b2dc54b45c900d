package dev.quill.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ThreadPoolTest {
    @Test
    void everyIndexIsCoveredExactlyOnce() {
        for (int threads = 1; threads <= 4; threads++) {
            try (ThreadPool pool = new ThreadPool(threads)) {
                for (int n : new int[] {0, 1, 2, 3, 4, 5, 7, 100, 1001}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    pool.parallelFor(n, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, hits.get(i), "threads " + threads + ", n " + n + ", index " + i);
                    }
                }
            }
        }
    }

    @Test
    void manyShortLoopsInARowAllComplete() {
        // Back-to-back loops exercise the hand-off between spinning, parking and waking.
        try (ThreadPool pool = new ThreadPool(3)) {
            AtomicLong sum = new AtomicLong();
            int loops = 20_000;
            for (int k = 0; k < loops; k++) {
                pool.parallelFor(6, (from, to) -> {
                    long local = 0;
                    for (int i = from; i < to; i++) {
                        local += i;
                    }
                    sum.addAndGet(local);
                });
            }
            assertEquals(15L * loops, sum.get());
        }
    }

    @Test
    void loopsAfterAParkedPauseStillRun() throws InterruptedException {
        try (ThreadPool pool = new ThreadPool(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(2);
            pool.parallelFor(2, (from, to) -> hits.incrementAndGet(from));
            Thread.sleep(20); // well past the spin window: the worker parks
            pool.parallelFor(2, (from, to) -> hits.incrementAndGet(from));
            assertEquals(2, hits.get(0));
            assertEquals(2, hits.get(1));
        }
    }

    @Test
    void exceptionsFromWorkersAndFromTheCallerPropagate() {
        try (ThreadPool pool = new ThreadPool(3)) {
            IllegalStateException inWorker = new IllegalStateException("worker slice");
            // Index 99 lies in the last slice, which a worker thread runs.
            assertSame(inWorker, assertThrows(IllegalStateException.class, () -> pool.parallelFor(100, (from, to) -> {
                if (to == 100) {
                    throw inWorker;
                }
            })));
            AssertionError inCaller = new AssertionError("caller slice");
            assertSame(inCaller, assertThrows(AssertionError.class, () -> pool.parallelFor(100, (from, to) -> {
                if (from == 0) {
                    throw inCaller;
                }
            })));
            // The pool is still usable and no failure leaks into the next loop.
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            pool.parallelFor(100, (from, to) -> {
                for (int i = from; i < to; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 100; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    @Test
    void aClosedPoolRefusesWork() {
        ThreadPool pool = new ThreadPool(2);
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.parallelFor(10, (from, to) -> { }));
    }
}
