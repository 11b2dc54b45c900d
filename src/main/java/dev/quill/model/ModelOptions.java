package dev.quill.model;

/**
 * How to load a model.
 *
 * @param contextLength KV cache positions per sequence; 0 = the model's trained context, capped at
 *     {@link #DEFAULT_CONTEXT_CAP} so a 128k-context model does not reserve gigabytes by default
 * @param threads compute threads; 0 = available processors
 * @param maxBatch prompt tokens processed per forward step
 */
public record ModelOptions(int contextLength, int threads, int maxBatch) {
    public static final int DEFAULT_CONTEXT_CAP = 4096;
    public static final int DEFAULT_MAX_BATCH = 64;

    public ModelOptions {
        if (contextLength < 0) {
            throw new IllegalArgumentException("context length must be >= 0 (0 = model default), got " + contextLength);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = all processors), got " + threads);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + maxBatch);
        }
    }

    public static ModelOptions defaults() {
        return new ModelOptions(0, 0, DEFAULT_MAX_BATCH);
    }

    public ModelOptions withContextLength(int n) {
        return new ModelOptions(n, threads, maxBatch);
    }

    public ModelOptions withThreads(int n) {
        return new ModelOptions(contextLength, n, maxBatch);
    }

    public ModelOptions withMaxBatch(int n) {
        return new ModelOptions(contextLength, threads, n);
    }

    int resolvedThreads() {
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }

    /** The context a model trained for {@code trained} positions gets with these options. */
    public int resolvedContext(int trained) {
        if (contextLength == 0) {
            return Math.min(trained, DEFAULT_CONTEXT_CAP);
        }
        if (contextLength > trained) {
            throw new ModelLoadException("context length " + contextLength + " exceeds the model's trained context of " + trained);
        }
        return contextLength;
    }
}
