package dev.quill.server;

import dev.quill.engine.CancellationToken;
import dev.quill.engine.GenerationRequest;
import dev.quill.engine.GenerationResult;
import dev.quill.engine.InferenceJob;
import dev.quill.engine.JobListener;
import dev.quill.engine.ServedModel;
import dev.quill.sampling.Sampler;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;

/**
 * Runs a request's generations (one per prompt, one after the other) on the model's worker and
 * turns them into a stream of {@link GenerationEvent}s. The first job is submitted at once, so a
 * full queue fails the HTTP request before any response is written; cancelling the stream (the
 * client went away) cancels the running generation at its next decoding step.
 */
public final class GenerationSession {
    /**
     * Events buffered between the engine thread and a slow client; a client that falls this far
     * behind has its generation stopped rather than holding engine memory without limit.
     */
    static final int DEFAULT_BUFFERED_EVENTS = 4096;

    private final ServedModel model;
    private final List<GenerationRequest> requests;
    private final ServerMetrics metrics;
    private final CancellationToken cancellation = new CancellationToken();
    private final UnicastProcessor<GenerationEvent> events;
    /** The processor's buffer, watched so a client that stopped reading is cancelled rather than buffered without end. */
    private final ArrayBlockingQueue<GenerationEvent> buffer;

    private GenerationSession(ServedModel model, List<GenerationRequest> requests, ServerMetrics metrics, int bufferedEvents) {
        this.model = model;
        this.requests = requests;
        this.metrics = metrics;
        this.buffer = new ArrayBlockingQueue<>(bufferedEvents);
        this.events = UnicastProcessor.create(buffer, cancellation::cancel);
    }

    /**
     * Submits the first generation and returns the event stream.
     *
     * @throws dev.quill.engine.QueueFullException when the model's queue is full
     */
    public static Multi<GenerationEvent> start(ServedModel model, List<GenerationRequest> requests, ServerMetrics metrics) {
        return start(model, requests, metrics, DEFAULT_BUFFERED_EVENTS);
    }

    /** As {@link #start(ServedModel, List, ServerMetrics)}, buffering at most {@code bufferedEvents} for a slow client. */
    public static Multi<GenerationEvent> start(ServedModel model, List<GenerationRequest> requests, ServerMetrics metrics,
            int bufferedEvents) {
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("no prompt to generate for");
        }
        GenerationSession session = new GenerationSession(model, requests, metrics, bufferedEvents);
        session.submit(0);
        return session.events;
    }

    private void submit(int choice) {
        GenerationRequest request = requests.get(choice);
        model.worker().submit(new InferenceJob(request, new Listener(choice, request), cancellation));
    }

    /**
     * Hands an event to the client's stream. When the buffer is full the client has stopped
     * reading: the generation is cancelled (its slot freed at the next step) instead of stalling
     * the engine or buffering without limit.
     */
    private void emit(GenerationEvent event) {
        if (cancellation.isCancelled()) {
            return;
        }
        if (buffer.remainingCapacity() == 0) {
            cancellation.cancel();
            events.onError(new CancellationException("the client did not read its stream: " + buffer.size()
                    + " events were waiting (quill.stream-buffer-events)"));
            return;
        }
        events.onNext(event);
    }

    private final class Listener implements JobListener {
        private final int choice;
        private final GenerationRequest request;
        private final long submitted = System.nanoTime();
        private boolean firstToken = true;

        Listener(int choice, GenerationRequest request) {
            this.choice = choice;
            this.request = request;
        }

        @Override
        public void onStart() {
            events.onNext(new GenerationEvent.Started(choice));
        }

        @Override
        public void onToken(int token, String text, Sampler sampler) {
            if (firstToken) {
                firstToken = false;
                metrics.timeToFirstToken(model.id(), System.nanoTime() - submitted);
            }
            metrics.generatedToken(model.id());
            GenerationEvent.TokenLogprob logprob = null;
            if (request.sampling().logprobs()) {
                int n = sampler.topLogprobCount();
                int[] ids = new int[n];
                float[] values = new float[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = sampler.topLogprobId(i);
                    values[i] = sampler.topLogprob(i);
                }
                logprob = new GenerationEvent.TokenLogprob(token, sampler.chosenLogprob(), ids, values);
            }
            emit(new GenerationEvent.Token(choice, token, text, logprob));
        }

        @Override
        public void onTrailingText(String text) {
            emit(new GenerationEvent.Trailing(choice, text));
        }

        @Override
        public void onComplete(GenerationResult result) {
            metrics.completed(model.id(), result);
            if (cancellation.isCancelled()) {
                events.onError(new CancellationException("the client went away"));
                return;
            }
            events.onNext(new GenerationEvent.Finished(choice, result));
            if (choice + 1 < requests.size()) {
                try {
                    submit(choice + 1);
                } catch (RuntimeException e) {
                    events.onError(e);
                }
            } else {
                events.onComplete();
            }
        }

        @Override
        public void onError(RuntimeException error) {
            events.onError(error);
        }
    }
}
