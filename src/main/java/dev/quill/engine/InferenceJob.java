package dev.quill.engine;

import java.util.Objects;

/**
 * One generation waiting for or running on a {@link ModelWorker}. The worker reports to the
 * listener on its own thread; the submitter cancels through {@link #cancellation()}.
 *
 * <p>A job is one sequence: the unit a batching scheduler interleaves step by step, which is why
 * it carries its own listener and cancellation instead of returning a result to a waiting caller.
 */
public final class InferenceJob {
    private final GenerationRequest request;
    private final JobListener listener;
    private final CancellationToken cancellation;
    private final long submittedNanos = System.nanoTime();

    public InferenceJob(GenerationRequest request, JobListener listener, CancellationToken cancellation) {
        this.request = Objects.requireNonNull(request, "request");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.cancellation = Objects.requireNonNull(cancellation, "cancellation");
    }

    public GenerationRequest request() {
        return request;
    }

    public JobListener listener() {
        return listener;
    }

    public CancellationToken cancellation() {
        return cancellation;
    }

    public long submittedNanos() {
        return submittedNanos;
    }
}
