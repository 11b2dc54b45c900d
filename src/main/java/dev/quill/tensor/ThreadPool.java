package dev.quill.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads that split index ranges. The calling thread takes the first slice
 * itself, so a pool of one thread runs everything inline. Not re-entrant: one parallel loop at a
 * time per pool (each model's forward pass owns its pool).
 *
 * <p>A forward pass issues hundreds of short parallel loops back to back, so both sides spin
 * briefly before parking: waking a parked thread costs tens of microseconds, often more than the
 * loop itself. The spinning yields now and then, so that with more threads than free cores the
 * thread that has work gets the core.
 */
public final class ThreadPool implements AutoCloseable {
    /** Work on the half-open index range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** How long a waiting thread spins before it parks. */
    private static final long SPIN_NANOS = 50_000;
    /** Busy spins between yields (and clock reads) while waiting. */
    private static final int SPINS_PER_YIELD = 64;

    private final int threads;
    private final Thread[] workers;
    /** Bumped by the caller to start a loop; workers run one slice per new value. */
    private final AtomicInteger generation = new AtomicInteger();
    /** Workers still running the current loop; the one that brings it to zero wakes the caller. */
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    // Written by the caller before the generation bump, which publishes them to the workers.
    private RangeBody body;
    private int total;
    private volatile Thread caller;
    private volatile boolean closed;

    public ThreadPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
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
        int seen = 0;
        while (true) {
            int current = awaitGenerationAfter(seen);
            if (closed) {
                return;
            }
            seen = current;
            runSlice(index, body, total);
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** Spins, then parks, until the generation moves past {@code seen} or the pool closes. */
    private int awaitGenerationAfter(int seen) {
        long deadline = 0;
        int spins = 0;
        while (true) {
            int current = generation.get();
            if (current != seen || closed) {
                return current;
            }
            if (++spins % SPINS_PER_YIELD != 0) {
                Thread.onSpinWait();
            } else if (deadline == 0) {
                deadline = System.nanoTime() + SPIN_NANOS;
            } else if (System.nanoTime() - deadline < 0) {
                // Lets a thread that has work run when there are more threads than free cores.
                Thread.yield();
            } else {
                // Unparked by the caller's bump; a stale permit only costs one more check.
                LockSupport.park(this);
            }
        }
    }

    private void runSlice(int index, RangeBody work, int n) {
        int from = (int) ((long) n * index / threads);
        int to = (int) ((long) n * (index + 1) / threads);
        if (from < to) {
            try {
                work.run(from, to);
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
        if (closed) {
            throw new IllegalStateException("thread pool is closed");
        }
        this.body = body;
        this.total = n;
        this.caller = Thread.currentThread();
        pending.set(workers.length);
        generation.incrementAndGet();
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        runSlice(0, body, n);
        awaitWorkers();
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

    private void awaitWorkers() {
        long deadline = 0;
        int spins = 0;
        while (pending.get() != 0) {
            if (++spins % SPINS_PER_YIELD != 0) {
                Thread.onSpinWait();
            } else if (deadline == 0) {
                deadline = System.nanoTime() + SPIN_NANOS;
            } else if (System.nanoTime() - deadline < 0) {
                Thread.yield();
            } else {
                LockSupport.park(this);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }
}
