package dev.quill.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the generations of one model on its own thread, in submission order, with a bounded queue
 * of waiting jobs. A full queue refuses new jobs at once ({@link QueueFullException}) rather than
 * letting latency grow without limit.
 *
 * <p>This worker runs one sequence at a time. Callers only see {@link #submit} and the job's
 * listener, so a scheduler that advances many jobs per forward step can replace the loop without
 * changing them.
 */
public final class ModelWorker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelWorker.class.getName());

    private final String modelId;
    private final Generator generator;
    private final BlockingQueue<InferenceJob> queue;
    private final int capacity;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile InferenceJob running;
    /** Smoothed duration of recent jobs, for the Retry-After hint. */
    private volatile double averageJobSeconds = 1;

    public ModelWorker(String modelId, Generator generator, int queueCapacity) {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue size must be >= 1, got " + queueCapacity);
        }
        this.modelId = modelId;
        this.generator = generator;
        this.capacity = queueCapacity;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.thread = Thread.ofPlatform().name("quill-engine-" + modelId).daemon().unstarted(this::loop);
        this.thread.start();
    }

    /**
     * Queues a job; its listener hears the outcome on this worker's thread.
     *
     * @throws QueueFullException when {@code queueCapacity} jobs are already waiting
     * @throws ModelUnavailableException when the worker has been closed (model unloaded)
     */
    public void submit(InferenceJob job) {
        if (closed.get()) {
            throw unloaded();
        }
        if (!queue.offer(job)) {
            int retry = (int) Math.max(1, Math.min(60, Math.ceil(averageJobSeconds * (queue.size() + 1))));
            throw new QueueFullException(modelId, capacity, retry);
        }
        // close() may have drained the queue between the check and the offer.
        if (closed.get() && queue.remove(job)) {
            throw unloaded();
        }
    }

    /** Jobs waiting behind the one running. */
    public int queuedJobs() {
        return queue.size();
    }

    /** Whether a job is being generated right now. */
    public boolean busy() {
        return running != null;
    }

    public int queueCapacity() {
        return capacity;
    }

    public Generator generator() {
        return generator;
    }

    private void loop() {
        while (!closed.get()) {
            InferenceJob job;
            try {
                job = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (job != null) {
                run(job);
            }
        }
        List<InferenceJob> left = new ArrayList<>();
        queue.drainTo(left);
        for (InferenceJob job : left) {
            notifyError(job, unloaded());
        }
    }

    private void run(InferenceJob job) {
        JobListener listener = job.listener();
        if (job.cancellation().isCancelled()) {
            // Gone before its turn: end it without touching the model.
            notifyError(job, new java.util.concurrent.CancellationException("cancelled while queued"));
            return;
        }
        running = job;
        long start = System.nanoTime();
        GenerationResult result;
        try {
            listener.onStart();
            result = generator.generate(job.request(), listener, job.cancellation());
        } catch (RuntimeException e) {
            running = null;
            notifyError(job, e);
            return;
        } catch (Error e) {
            running = null;
            // Out of memory for one request must not kill the worker for all the others.
            LOG.log(Level.SEVERE, "generation on " + modelId + " failed", e);
            notifyError(job, new IllegalStateException("generation failed: " + e));
            return;
        }
        running = null;
        double seconds = (System.nanoTime() - start) / 1e9;
        averageJobSeconds = 0.8 * averageJobSeconds + 0.2 * seconds;
        try {
            listener.onComplete(result);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a job listener of " + modelId + " failed", e);
        }
    }

    private void notifyError(InferenceJob job, RuntimeException error) {
        try {
            job.listener().onError(error);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a job listener of " + modelId + " failed", e);
        }
    }

    private ModelUnavailableException unloaded() {
        return new ModelUnavailableException(modelId, "model '" + modelId + "' was unloaded; send the request again to reload it");
    }

    /**
     * Stops taking jobs, cancels the running one, fails the queued ones and waits for the thread.
     * The model itself is closed by its owner afterwards.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        InferenceJob current = running;
        if (current != null) {
            current.cancellation().cancel();
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
