package dev.quill.engine;

/**
 * Follows an {@link InferenceJob} through a {@link ModelWorker}, on the worker's thread. Exactly
 * one of {@link #onComplete} and {@link #onError} ends every job, also one cancelled or dropped
 * while still queued.
 */
public interface JobListener extends GenerationListener {
    /** The job leaves the queue and its prompt starts being processed. */
    default void onStart() {
    }

    void onComplete(GenerationResult result);

    void onError(RuntimeException error);
}
