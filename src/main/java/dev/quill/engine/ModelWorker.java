package dev.quill.engine;

import dev.quill.model.KvCache;
import dev.quill.model.KvPagePool;
import dev.quill.model.Model;
import dev.quill.model.Transformer;
import dev.quill.tokenizer.Tokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the generations of one model with continuous batching, on its own thread.
 *
 * <p>Each step is one forward pass over the rows of every active sequence: one row per decoding
 * sequence (its last token), then prompt chunks of sequences still prefilling, up to the step size.
 * Every weight is read once per step however many sequences run, and a long prompt is processed
 * over several steps while the others keep streaming. New jobs join at the next step; finished,
 * cancelled and failed ones leave at once.
 *
 * <p>KV memory comes from one {@link KvPagePool} with a budget. A job is admitted (in arrival
 * order) when a sequence slot is free and the pages it may need — prompt plus its token limit,
 * minus what it shares with a cached prefix — fit next to what the running ones may still need;
 * so a running sequence never runs out. Waiting jobs sit in a bounded queue (full: {@link
 * QueueFullException}, 429) with a deadline ({@link QueueTimeoutException}, 503). Finished
 * sequences leave their KV in a {@link PrefixCache}, evicted least recently used when pages are
 * needed.
 *
 * <p>Listeners are called on this worker's thread and must not block: a slow client is the
 * listener's business (buffer, then cancel), never a reason to stall the other sequences.
 */
public final class ModelWorker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelWorker.class.getName());

    private final String modelId;
    private final Model model;
    private final Tokenizer tokenizer;
    private final SchedulerOptions options;
    private final Transformer transformer;
    private final KvPagePool pages;
    private final PrefixCache prefixCache;
    private final BlockingQueue<InferenceJob> queue;
    private final Thread thread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean draining;
    private final Object idle = new Object();

    // Scheduler-thread state, preallocated so a step allocates nothing.
    private final List<Active> active = new ArrayList<>();
    private final KvCache[] rowCaches;
    private final int[] rowPositions;
    private final int[] rowTokens;
    private final int[] logitRows;
    private final Active[] logitOwners;
    private final float[] logits;
    private final float[] sequenceLogits;
    private final int vocab;

    private volatile int activeCount;
    private volatile long prefixHits;
    private volatile long prefixTokensReused;
    private volatile long steps;
    /** Smoothed duration of recent jobs, for the Retry-After hint. */
    private volatile double averageJobSeconds = 1;

    /** A sequence being generated, with the job it serves. */
    private static final class Active {
        final InferenceJob job;
        final Sequence sequence;
        final long started = System.nanoTime();

        Active(InferenceJob job, Sequence sequence) {
            this.job = job;
            this.sequence = sequence;
        }
    }

    public ModelWorker(String modelId, Model model, Tokenizer tokenizer, SchedulerOptions options) {
        this.modelId = modelId;
        this.model = model;
        this.tokenizer = tokenizer;
        this.options = options;
        this.transformer = model.newTransformer();
        int stepRows = transformer.maxBatch();
        if (options.maxSequences() > stepRows) {
            throw new IllegalArgumentException("max sequences (" + options.maxSequences() + ") cannot exceed the batch size ("
                    + stepRows + "): every sequence needs a row in each step");
        }
        int budget = options.resolvedKvBudget(model.contextLength());
        this.pages = new KvPagePool(model.config(), KvPagePool.pagesFor(budget));
        this.prefixCache = new PrefixCache(options.prefixCacheEntries());
        this.queue = new LinkedBlockingQueue<>();
        this.vocab = model.config().vocabSize();
        this.rowCaches = new KvCache[stepRows];
        this.rowPositions = new int[stepRows];
        this.rowTokens = new int[stepRows];
        this.logitRows = new int[stepRows];
        this.logitOwners = new Active[stepRows];
        this.logits = new float[options.maxSequences() * vocab];
        this.sequenceLogits = new float[vocab];
        this.thread = Thread.ofPlatform().name("quill-engine-" + modelId).daemon().unstarted(this::loop);
        this.thread.start();
    }

    /**
     * Queues a job; its listener hears the outcome on this worker's thread.
     *
     * @throws QueueFullException when {@code queueSize} jobs are already waiting
     * @throws ModelUnavailableException when the worker has been closed (model unloaded)
     * @throws ShutdownException while the server drains
     */
    public void submit(InferenceJob job) {
        if (draining) {
            throw new ShutdownException("the server is shutting down and takes no new requests");
        }
        if (closed.get()) {
            throw unloaded();
        }
        int needed = job.request().promptTokens().length + 1;
        if (needed > model.contextLength()) {
            throw new dev.quill.model.ContextLengthExceededException(needed, model.contextLength());
        }
        synchronized (queue) {
            // Jobs about to take a free slot do not count as waiting: a burst that fits the free
            // slots is never refused, whatever the queue size.
            int freeSlots = Math.max(0, options.maxSequences() - activeCount);
            if (queue.size() >= options.queueSize() + freeSlots) {
                int waitingPerSlot = (queue.size() + options.maxSequences()) / options.maxSequences();
                int retry = (int) Math.max(1, Math.min(60, Math.ceil(averageJobSeconds * waitingPerSlot)));
                throw new QueueFullException(modelId, options.queueSize(), retry);
            }
            queue.add(job);
        }
        // close() may have drained the queue between the check and the offer.
        if (closed.get() && queue.remove(job)) {
            throw unloaded();
        }
        synchronized (idle) {
            idle.notifyAll();
        }
    }

    /** Jobs waiting for a slot (or about to take a free one at the next step). */
    public int queuedJobs() {
        return queue.size();
    }

    /** Sequences being generated right now. */
    public int activeSequences() {
        return activeCount;
    }

    /** Whether any sequence is being generated. */
    public boolean busy() {
        return activeCount > 0;
    }

    public int queueCapacity() {
        return options.queueSize();
    }

    public SchedulerOptions options() {
        return options;
    }

    /** KV pages in use (sequences and prefix cache) and the budget, in pages of {@link KvPagePool#PAGE_TOKENS}. */
    public KvPagePool kvPages() {
        return pages;
    }

    /** Requests that reused a cached prefix. */
    public long prefixCacheHits() {
        return prefixHits;
    }

    /** Prompt tokens taken from the prefix cache instead of being computed. */
    public long prefixCacheTokens() {
        return prefixTokensReused;
    }

    /** Forward steps run so far. */
    public long steps() {
        return steps;
    }

    private void loop() {
        try {
            while (!closed.get()) {
                expireQueued();
                admit();
                if (active.isEmpty()) {
                    awaitWork();
                    continue;
                }
                step();
            }
        } catch (Throwable t) {
            LOG.log(Level.SEVERE, "the engine thread of " + modelId + " failed", t);
        } finally {
            for (Active a : active) {
                a.sequence.cache().close();
                notifyError(a.job, endOfService());
            }
            active.clear();
            activeCount = 0;
            List<InferenceJob> left = new ArrayList<>();
            queue.drainTo(left);
            for (InferenceJob job : left) {
                notifyError(job, endOfService());
            }
            prefixCache.clear();
        }
    }

    private void awaitWork() {
        synchronized (idle) {
            if (queue.isEmpty() && !closed.get()) {
                try {
                    idle.wait(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closed.set(true);
                }
            }
        }
    }

    /** Fails queued jobs whose client left or whose deadline passed. */
    private void expireQueued() {
        if (queue.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        long limit = options.queueTimeout().toNanos();
        for (Iterator<InferenceJob> it = queue.iterator(); it.hasNext(); ) {
            InferenceJob job = it.next();
            if (job.cancellation().isCancelled()) {
                it.remove();
                notifyError(job, new CancellationException("cancelled while queued"));
            } else if (now - job.submittedNanos() > limit) {
                it.remove();
                notifyError(job, new QueueTimeoutException(modelId, Duration.ofNanos(now - job.submittedNanos())));
            }
        }
    }

    /** Starts queued jobs, in arrival order, while slots and KV budget allow. */
    private void admit() {
        while (active.size() < options.maxSequences()) {
            InferenceJob job = queue.peek();
            if (job == null) {
                return;
            }
            if (job.cancellation().isCancelled()) {
                queue.remove(job);
                notifyError(job, new CancellationException("cancelled while queued"));
                continue;
            }
            if (!tryStart(job)) {
                return;
            }
        }
    }

    private boolean tryStart(InferenceJob job) {
        GenerationRequest request = job.request();
        int[] prompt = request.promptTokens();
        int context = model.contextLength();
        int target = Math.min(context, request.maxTokens() < 0 ? context : prompt.length + request.maxTokens());
        PrefixCache.Match match = prefixCache.longestPrefix(prompt);
        while (true) {
            int shared = match == null ? 0 : match.tokens() / KvPagePool.PAGE_TOKENS;
            // A partly filled shared page is copied on its first write, so it counts as needed.
            int needed = KvPagePool.pagesFor(target) - shared;
            if (needed <= pages.pagesFree() - pagesStillNeeded()) {
                break;
            }
            if (prefixCache.evictLeastRecentlyUsed(match == null ? null : match.cache())) {
                continue;
            }
            if (match != null) {
                // Reusing the prefix does not leave room: give it up and start from scratch.
                prefixCache.evictLeastRecentlyUsed(null);
                match = null;
                continue;
            }
            if (active.isEmpty() && KvPagePool.pagesFor(target) > pages.maxPages()) {
                queue.remove(job);
                notifyError(job, new IllegalArgumentException("the request needs " + target + " tokens of KV cache (prompt "
                        + prompt.length + " + max_tokens), more than this model's KV budget of "
                        + (long) pages.maxPages() * KvPagePool.PAGE_TOKENS + " tokens (quill.kv-budget); lower max_tokens"));
                return true;
            }
            return false;
        }
        queue.remove(job);
        KvCache cache = match == null ? new KvCache(pages, context) : match.cache().fork(match.tokens());
        Sequence sequence;
        try {
            sequence = new Sequence(request, tokenizer, vocab, cache, job.listener());
        } catch (RuntimeException e) {
            cache.close();
            notifyError(job, e);
            return true;
        }
        if (match != null) {
            prefixHits++;
            prefixTokensReused += match.tokens();
        }
        Active a = new Active(job, sequence);
        active.add(a);
        activeCount = active.size();
        try {
            job.listener().onStart();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a job listener of " + modelId + " failed", e);
        }
        return true;
    }

    /** Pages the running sequences may still take from the pool before they reach their limits. */
    private int pagesStillNeeded() {
        int n = 0;
        for (int i = 0; i < active.size(); i++) {
            Sequence s = active.get(i).sequence;
            n += s.cache().pagesNeededFor(s.targetLength());
        }
        return n;
    }

    /** One forward pass over every active sequence, then sampling for those that produced logits. */
    private void step() {
        // Cancelled sequences leave before the step, so a disconnect frees its slot within one step.
        for (int i = active.size() - 1; i >= 0; i--) {
            Active a = active.get(i);
            if (a.job.cancellation().isCancelled()) {
                a.sequence.cancel();
                retire(i);
            }
        }
        if (active.isEmpty()) {
            return;
        }
        int rows = 0;
        int logitCount = 0;
        // Decoding sequences first: one row each, so their streams advance every step.
        for (int i = 0; i < active.size(); i++) {
            Active a = active.get(i);
            Sequence s = a.sequence;
            if (s.pendingPromptTokens() == 0) {
                KvCache cache = s.cache();
                rowCaches[rows] = cache;
                rowPositions[rows] = cache.length();
                rowTokens[rows] = s.nextToken();
                logitRows[logitCount] = rows;
                logitOwners[logitCount++] = a;
                rows++;
            }
        }
        // Then prompt chunks with the rows left, oldest request first.
        for (int i = 0; i < active.size() && rows < rowCaches.length; i++) {
            Active a = active.get(i);
            Sequence s = a.sequence;
            int pending = s.pendingPromptTokens();
            if (pending == 0) {
                continue;
            }
            KvCache cache = s.cache();
            int chunk = Math.min(pending, rowCaches.length - rows);
            int start = cache.length();
            for (int j = 0; j < chunk; j++) {
                rowCaches[rows] = cache;
                rowPositions[rows] = start + j;
                rowTokens[rows] = s.tokenAt(start + j);
                rows++;
            }
            if (chunk == pending) {
                logitRows[logitCount] = rows - 1;
                logitOwners[logitCount++] = a;
            }
        }
        try {
            transformer.forwardBatch(rows, rowCaches, rowPositions, rowTokens, logitRows, logitCount, logits);
        } catch (RuntimeException | OutOfMemoryError e) {
            // A failed step leaves the caches of its sequences in an unknown state: end them all.
            LOG.log(Level.SEVERE, "a forward step on " + modelId + " failed", e);
            RuntimeException error = e instanceof RuntimeException r ? r : new IllegalStateException("generation failed: " + e);
            for (int i = active.size() - 1; i >= 0; i--) {
                Active a = active.remove(i);
                a.sequence.cache().close();
                notifyError(a.job, error);
            }
            activeCount = 0;
            return;
        } finally {
            java.util.Arrays.fill(rowCaches, 0, rows, null);
        }
        steps++;
        for (int i = 0; i < logitCount; i++) {
            Active a = logitOwners[i];
            logitOwners[i] = null;
            System.arraycopy(logits, i * vocab, sequenceLogits, 0, vocab);
            boolean goesOn;
            try {
                goesOn = a.sequence.accept(sequenceLogits);
            } catch (RuntimeException e) {
                // A listener that throws (its client is gone) ends its own sequence only.
                LOG.log(Level.FINE, "a sequence of " + modelId + " ended by its listener", e);
                a.sequence.cancel();
                goesOn = false;
            }
            if (!goesOn) {
                retire(active.indexOf(a));
            }
        }
    }

    /** Ends the sequence at {@code index}: its result to the listener, its KV to the prefix cache. */
    private void retire(int index) {
        Active a = active.remove(index);
        activeCount = active.size();
        Sequence s = a.sequence;
        GenerationResult result;
        try {
            result = s.finish();
        } catch (RuntimeException e) {
            s.cache().close();
            notifyError(a.job, e);
            return;
        }
        prefixCache.add(s.cachedTokenIds(), s.cache());
        double seconds = (System.nanoTime() - a.started) / 1e9;
        averageJobSeconds = 0.8 * averageJobSeconds + 0.2 * seconds;
        try {
            a.job.listener().onComplete(result);
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

    private RuntimeException endOfService() {
        return shutdownRemaining
                ? new ShutdownException("the server shut down before this generation finished")
                : unloaded();
    }

    private ModelUnavailableException unloaded() {
        return new ModelUnavailableException(modelId, "model '" + modelId + "' was unloaded; send the request again to reload it");
    }

    /**
     * Graceful shutdown: takes no new jobs, lets the running and queued ones finish until the
     * deadline, then ends those left with a {@link ShutdownException} (a final error event for
     * their clients).
     *
     * @return whether everything finished before the deadline
     */
    public boolean drain(Duration deadline) {
        stopAccepting();
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            if (activeCount == 0 && queue.isEmpty()) {
                break;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        boolean done = activeCount == 0 && queue.isEmpty();
        if (!done) {
            shutdownRemaining = true;
        }
        close();
        return done;
    }

    /** First step of a graceful shutdown: from now on {@link #submit} refuses with a {@link ShutdownException}. */
    public void stopAccepting() {
        draining = true;
    }

    /** Set when draining ran out of time: the jobs left end with a shutdown error instead of "unloaded". */
    private volatile boolean shutdownRemaining;

    /**
     * Stops taking jobs, ends the running ones and fails the queued ones, then waits for the thread.
     * The model itself is closed by its owner afterwards.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (idle) {
            idle.notifyAll();
        }
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
