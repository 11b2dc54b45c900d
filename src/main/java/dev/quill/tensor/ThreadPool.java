package dev.quill.tensor;

import java.util.concurrent.Phaser;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed set of worker threads that split index ranges. The calling thread takes the first slice
 * itself, so a pool of one thread runs everything inline. Not re-entrant: one parallel loop at a
 * time per pool (each model's forward pass owns its pool).
 */
public final class ThreadPool implements AutoCloseable {
    /** Work on the half-open index range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private final int threads;
    private final Thread[] workers;
    // Only the caller is a party of start: workers wait for its phase to advance without arriving.
    private final Phaser start = new Phaser(1);
    private final Phaser done;
    private volatile RangeBody body;
    private volatile int total;
    private volatile boolean closed;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    public ThreadPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.done = new Phaser(threads);
        for (int i = 0; i < workers.length; i++) {
            int index = i + 1;
            Thread t = Thread.ofPlatform().daemon().name("quill-compute-" + index).unstarted(() -> workerLoop(index));
            workers[i] = t;
            t.start();
        }
    }

    /** A pool sized to the available processors. */
    public static ThreadPool ofAvailableProcessors() {
        return new ThreadPool(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return threads;
    }

    private void workerLoop(int index) {
        int phase = 0;
        while (true) {
            phase = start.awaitAdvance(phase);
            if (closed || phase < 0) {
                return;
            }
            runSlice(index);
            done.arrive();
        }
    }

    private void runSlice(int index) {
        int n = total;
        int from = (int) ((long) n * index / threads);
        int to = (int) ((long) n * (index + 1) / threads);
        if (from < to) {
            try {
                body.run(from, to);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }
    }

    /** Runs {@code body} over [0, n) split into one contiguous slice per thread, and waits. */
    public void parallelFor(int n, RangeBody body) {
        if (threads == 1 || n < 2) {
            body.run(0, n);
            return;
        }
        this.body = body;
        this.total = n;
        start.arrive();
        runSlice(0);
        done.arriveAndAwaitAdvance();
        this.body = null;
        Throwable t = failure.getAndSet(null);
        if (t != null) {
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new RuntimeException(t);
        }
    }

    @Override
    public void close() {
        closed = true;
        start.forceTermination();
        done.forceTermination();
    }
}
