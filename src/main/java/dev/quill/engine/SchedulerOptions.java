package dev.quill.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * How a model's {@link ModelWorker} shares the machine between requests.
 *
 * @param maxSequences sequences decoded together in one step at most
 * @param queueSize requests that may wait for a free sequence slot or KV budget; more get 429
 * @param kvBudgetTokens KV positions shared by all sequences and the prefix cache; 0 = the larger
 *     of the context length and {@link #DEFAULT_KV_BUDGET_TOKENS}
 * @param queueTimeout longest wait in the queue; then the request fails (503)
 * @param prefixCacheEntries finished sequences whose KV is kept for reuse; 0 turns the prefix cache off
 */
public record SchedulerOptions(int maxSequences, int queueSize, int kvBudgetTokens, Duration queueTimeout,
        int prefixCacheEntries) {
    public static final int DEFAULT_MAX_SEQUENCES = 8;
    public static final int DEFAULT_QUEUE_SIZE = 16;
    public static final int DEFAULT_KV_BUDGET_TOKENS = 16384;
    public static final Duration DEFAULT_QUEUE_TIMEOUT = Duration.ofSeconds(120);
    public static final int DEFAULT_PREFIX_CACHE_ENTRIES = 32;

    public SchedulerOptions {
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        if (maxSequences < 1) {
            throw new IllegalArgumentException("max sequences must be >= 1, got " + maxSequences);
        }
        if (queueSize < 1) {
            throw new IllegalArgumentException("queue size must be >= 1, got " + queueSize);
        }
        if (kvBudgetTokens < 0) {
            throw new IllegalArgumentException("KV budget must be >= 0 tokens (0 = default), got " + kvBudgetTokens);
        }
        if (queueTimeout.isNegative() || queueTimeout.isZero()) {
            throw new IllegalArgumentException("queue timeout must be positive, got " + queueTimeout);
        }
        if (prefixCacheEntries < 0) {
            throw new IllegalArgumentException("prefix cache entries must be >= 0, got " + prefixCacheEntries);
        }
    }

    public static SchedulerOptions defaults() {
        return new SchedulerOptions(DEFAULT_MAX_SEQUENCES, DEFAULT_QUEUE_SIZE, 0, DEFAULT_QUEUE_TIMEOUT,
                DEFAULT_PREFIX_CACHE_ENTRIES);
    }

    public SchedulerOptions withMaxSequences(int n) {
        return new SchedulerOptions(n, queueSize, kvBudgetTokens, queueTimeout, prefixCacheEntries);
    }

    public SchedulerOptions withQueueSize(int n) {
        return new SchedulerOptions(maxSequences, n, kvBudgetTokens, queueTimeout, prefixCacheEntries);
    }

    public SchedulerOptions withKvBudgetTokens(int n) {
        return new SchedulerOptions(maxSequences, queueSize, n, queueTimeout, prefixCacheEntries);
    }

    public SchedulerOptions withQueueTimeout(Duration d) {
        return new SchedulerOptions(maxSequences, queueSize, kvBudgetTokens, d, prefixCacheEntries);
    }

    public SchedulerOptions withPrefixCacheEntries(int n) {
        return new SchedulerOptions(maxSequences, queueSize, kvBudgetTokens, queueTimeout, n);
    }

    /** The budget in tokens for a model whose sequences get {@code contextLength} positions. */
    public int resolvedKvBudget(int contextLength) {
        return kvBudgetTokens == 0 ? Math.max(contextLength, DEFAULT_KV_BUDGET_TOKENS) : kvBudgetTokens;
    }
}
