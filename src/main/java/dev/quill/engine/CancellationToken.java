package dev.quill.engine;

/** Set from any thread to stop a generation at its next decoding step. */
public final class CancellationToken {
    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }
}
