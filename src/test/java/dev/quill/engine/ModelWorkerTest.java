package dev.quill.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.model.Model;
import dev.quill.model.ModelOptions;
import dev.quill.sampling.Sampler;
import dev.quill.sampling.SamplingParams;
import dev.quill.testutil.SharedData;
import dev.quill.tokenizer.Tokenizer;
import dev.quill.tokenizer.Tokenizers;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ModelWorkerTest {
    /** Collects a job's outcome. */
    static class Outcome implements JobListener {
        final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        final CountDownLatch started = new CountDownLatch(1);
        volatile String thread;
        volatile int tokens;

        @Override
        public void onStart() {
            thread = Thread.currentThread().getName();
            started.countDown();
        }

        @Override
        public void onToken(int token, String text, Sampler sampler) {
            tokens++;
        }

        @Override
        public void onComplete(GenerationResult r) {
            result.complete(r);
        }

        @Override
        public void onError(RuntimeException error) {
            result.completeExceptionally(error);
        }
    }

    @Test
    void runsJobsInOrderOnItsThreadRefusesWhenFullAndCancels() throws Exception {
        Model model = Model.load(SharedData.model("stories260K.gguf"), ModelOptions.defaults().withContextLength(128)
                .withThreads(1));
        Tokenizer tokenizer = Tokenizers.fromGguf(model.file().metadata());
        int[] prompt = tokenizer.encode("Once upon a time", true, false);
        // End of sequence banned: only the limit or a cancellation ends these.
        SamplingParams params = SamplingParams.builder().temperature(0).logitBias(Map.of(2, -100f)).build();
        try (model; ModelWorker worker = new ModelWorker("stories", new Generator(model, tokenizer), 1)) {
            CountDownLatch release = new CountDownLatch(1);
            Outcome blocking = new Outcome() {
                @Override
                public void onToken(int token, String text, Sampler sampler) {
                    super.onToken(token, text, sampler);
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            CancellationToken first = new CancellationToken();
            worker.submit(new InferenceJob(new GenerationRequest(prompt, params, 100, List.of()), blocking, first));
            assertTrue(blocking.started.await(10, TimeUnit.SECONDS));
            assertTrue(blocking.thread.startsWith("quill-engine-"), blocking.thread);

            Outcome queued = new Outcome();
            CancellationToken queuedCancel = new CancellationToken();
            worker.submit(new InferenceJob(new GenerationRequest(prompt, params, 3, List.of()), queued, queuedCancel));
            assertEquals(1, worker.queuedJobs());
            var full = assertThrows(QueueFullException.class, () -> worker.submit(new InferenceJob(
                    new GenerationRequest(prompt, params, 3, List.of()), new Outcome(), new CancellationToken())));
            assertTrue(full.retryAfterSeconds() >= 1);

            first.cancel();
            release.countDown();
            GenerationResult cancelled = blocking.result.get(10, TimeUnit.SECONDS);
            assertEquals(FinishReason.CANCELLED, cancelled.finishReason());
            assertTrue(cancelled.completionTokens() <= 2, "stops within a step: " + cancelled.completionTokens());
            GenerationResult next = queued.result.get(10, TimeUnit.SECONDS);
            assertEquals(3, next.completionTokens());

            // A job cancelled while waiting never touches the model.
            CountDownLatch hold = new CountDownLatch(1);
            Outcome holder = new Outcome() {
                @Override
                public void onToken(int token, String text, Sampler sampler) {
                    try {
                        hold.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            worker.submit(new InferenceJob(new GenerationRequest(prompt, params, 2, List.of()), holder, new CancellationToken()));
            assertTrue(holder.started.await(10, TimeUnit.SECONDS));
            Outcome gone = new Outcome();
            CancellationToken goneCancel = new CancellationToken();
            worker.submit(new InferenceJob(new GenerationRequest(prompt, params, 2, List.of()), gone, goneCancel));
            goneCancel.cancel();
            hold.countDown();
            // A future completed with a CancellationException rethrows it as it is.
            assertThrows(CancellationException.class, () -> gone.result.get(10, TimeUnit.SECONDS));
            assertEquals(0, gone.tokens);
        }
    }
}
