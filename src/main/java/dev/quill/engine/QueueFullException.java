package dev.quill.engine;

/** A model's request queue is full: the client should retry after {@link #retryAfterSeconds()}. */
public final class QueueFullException extends RuntimeException {
    private final int retryAfterSeconds;

    public QueueFullException(String model, int capacity, int retryAfterSeconds) {
        super("model '" + model + "' is busy: its queue of " + capacity + " waiting requests is full; retry in "
                + retryAfterSeconds + " s");
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
