package dev.quill.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.model.KvPagePool;
import dev.quill.model.Model;
import dev.quill.model.ModelOptions;
import dev.quill.sampling.Sampler;
import dev.quill.sampling.SamplingParams;
import dev.quill.testutil.SharedData;
import dev.quill.tokenizer.Tokenizer;
import dev.quill.tokenizer.Tokenizers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The continuous-batching scheduler on the trained stories260K model. */
class ModelWorkerTest {
    private static Model model;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws Exception {
        model = Model.load(SharedData.model("stories260K.gguf"), ModelOptions.defaults().withContextLength(256).withThreads(2));
        tokenizer = Tokenizers.fromGguf(model.file().metadata());
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    /** Collects a job's outcome. */
    static class Outcome implements JobListener {
        final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        final CountDownLatch started = new CountDownLatch(1);
        final List<Integer> tokenIds = new ArrayList<>();
        final StringBuilder text = new StringBuilder();
        volatile String thread;
        volatile int tokens;
        volatile long startedAt;
        volatile long completedAt;

        @Override
        public void onStart() {
            startedAt = System.nanoTime();
            thread = Thread.currentThread().getName();
            started.countDown();
        }

        @Override
        public void onToken(int token, String piece, Sampler sampler) {
            tokens++;
            tokenIds.add(token);
            text.append(piece);
        }

        @Override
        public void onTrailingText(String piece) {
            text.append(piece);
        }

        @Override
        public void onComplete(GenerationResult r) {
            completedAt = System.nanoTime();
            result.complete(r);
        }

        @Override
        public void onError(RuntimeException error) {
            result.completeExceptionally(error);
        }

        GenerationResult await() throws Exception {
            return result.get(60, TimeUnit.SECONDS);
        }
    }

    private static SchedulerOptions options() {
        return SchedulerOptions.defaults();
    }

    private static int[] prompt(String text) {
        return tokenizer.encode(text, true, false);
    }

    /** End of sequence banned: only the limit or a cancellation ends these. */
    private static final SamplingParams ENDLESS_GREEDY = SamplingParams.builder().temperature(0).logitBias(Map.of(2, -100f)).build();

    private static Outcome submit(ModelWorker worker, GenerationRequest request, CancellationToken cancel) {
        Outcome o = new Outcome();
        worker.submit(new InferenceJob(request, o, cancel));
        return o;
    }

    private record Case(String text, SamplingParams params, int maxTokens) {
        GenerationRequest request() {
            return new GenerationRequest(ModelWorkerTest.prompt(text), params, maxTokens, List.of());
        }
    }

    private static List<Case> eightDifferentRequests() {
        List<Case> cases = new ArrayList<>();
        String[] prompts = {"Once upon a time", "The little dog", "Lily and Tom went to the park", "One day, a bird",
            "Tim had a red ball. He", "The sun was hot and", "Mom said", "There was a big tree in the garden. Every day"};
        for (int i = 0; i < prompts.length; i++) {
            SamplingParams p = i % 2 == 0 ? SamplingParams.greedy()
                    : SamplingParams.builder().temperature(0.9f).topP(0.9f).seed(1000L + i).build();
            cases.add(new Case(prompts[i], p, 24 + 3 * i));
        }
        return cases;
    }

    @Test
    void aRequestGivesTheSameTokensAloneAndInABatchOfEight() throws Exception {
        List<Case> cases = eightDifferentRequests();
        List<Outcome> alone = new ArrayList<>();
        // Alone: one at a time, and with the prefix cache off so nothing is reused.
        try (ModelWorker worker = new ModelWorker("alone", model, tokenizer, options().withPrefixCacheEntries(0))) {
            for (Case c : cases) {
                Outcome o = submit(worker, c.request(), new CancellationToken());
                o.await();
                alone.add(o);
            }
        }
        // Together: all eight at once, joining the running batch at different steps.
        try (ModelWorker worker = new ModelWorker("together", model, tokenizer, options().withPrefixCacheEntries(0))) {
            List<Outcome> together = new ArrayList<>();
            for (Case c : cases) {
                together.add(submit(worker, c.request(), new CancellationToken()));
            }
            int totalTokens = 0;
            for (int i = 0; i < cases.size(); i++) {
                GenerationResult r = together.get(i).await();
                assertEquals(alone.get(i).tokenIds, together.get(i).tokenIds, "tokens of request " + i + " (" + cases.get(i) + ")");
                assertEquals(alone.get(i).await().text(), r.text());
                assertFalse(r.text().isBlank());
                totalTokens += r.completionTokens();
            }
            // They really ran together: far fewer steps than tokens generated.
            assertTrue(worker.steps() < totalTokens * 0.6, worker.steps() + " steps for " + totalTokens + " tokens");
        }
    }

    @Test
    void aPrefixCacheHitGivesTheSameTokensAndSkipsThePrefix() throws Exception {
        String system = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her friends.";
        Case first = new Case(system + " One day", SamplingParams.builder().temperature(0.8f).seed(7L).build(), 30);
        Case second = new Case(system + " Her mom", SamplingParams.builder().temperature(0.8f).seed(9L).build(), 30);
        Outcome secondCold;
        try (ModelWorker cold = new ModelWorker("cold", model, tokenizer, options().withPrefixCacheEntries(0))) {
            secondCold = submit(cold, second.request(), new CancellationToken());
            assertEquals(0, secondCold.await().cachedTokens());
        }
        try (ModelWorker worker = new ModelWorker("warm", model, tokenizer, options())) {
            submit(worker, first.request(), new CancellationToken()).await();
            Outcome warm = submit(worker, second.request(), new CancellationToken());
            GenerationResult r = warm.await();
            int shared = commonPrefix(first.request().promptTokens(), second.request().promptTokens());
            assertEquals(shared, r.cachedTokens(), "every shared prompt token comes from the cache");
            assertEquals(1, worker.prefixCacheHits());
            assertEquals(secondCold.tokenIds, warm.tokenIds, "same tokens with and without the cached prefix");
            // The same request again reuses all but its last prompt token, and still gives the same text.
            Outcome again = submit(worker, second.request(), new CancellationToken());
            assertEquals(second.request().promptTokens().length - 1, again.await().cachedTokens());
            assertEquals(secondCold.tokenIds, again.tokenIds);
        }
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = 0;
        while (n < Math.min(a.length, b.length) && a[n] == b[n]) {
            n++;
        }
        return n;
    }

    @Test
    void aLongPromptIsPrefilledInChunksWhileOthersKeepStreaming() throws Exception {
        // A batch of 8 rows: a 200-token prompt takes many steps, and the stream already running
        // must get tokens during them instead of waiting for the whole prompt.
        try (Model small = Model.load(SharedData.model("stories260K.gguf"), ModelOptions.defaults().withContextLength(256)
                .withThreads(2).withMaxBatch(8)); ModelWorker worker = new ModelWorker("chunks", small, tokenizer,
                options().withMaxSequences(4))) {
            Outcome streaming = submit(worker, new GenerationRequest(prompt("Once upon a time"), ENDLESS_GREEDY, 150, List.of()),
                    new CancellationToken());
            while (streaming.tokens < 5) {
                Thread.sleep(1);
            }
            StringBuilder longText = new StringBuilder();
            while (tokenizer.encode(longText.toString(), true, false).length < 200) {
                longText.append("The cat sat on the mat and looked at the bird. ");
            }
            int[] longPrompt = java.util.Arrays.copyOf(prompt(longText.toString()), 200);
            Outcome longOne = submit(worker, new GenerationRequest(longPrompt, SamplingParams.greedy(), 5, List.of()),
                    new CancellationToken());
            assertTrue(longOne.started.await(10, TimeUnit.SECONDS));
            int before = streaming.tokens;
            longOne.await();
            int during = streaming.tokens - before;
            // 200 prompt tokens at 7 rows per step (one row goes to the stream) take ~29 steps.
            assertTrue(during >= 20, "the running stream got only " + during + " tokens while a 200-token prompt was processed");
            assertEquals(150, streaming.await().completionTokens());
        }
    }

    @Test
    void aFullQueueRefusesAndACancelledSequenceFreesItsSlotWithinAStep() throws Exception {
        try (ModelWorker worker = new ModelWorker("slots", model, tokenizer, options().withMaxSequences(1).withQueueSize(1))) {
            CancellationToken first = new CancellationToken();
            Outcome running = submit(worker, new GenerationRequest(prompt("Once upon a time"), ENDLESS_GREEDY, 200, List.of()), first);
            assertTrue(running.started.await(10, TimeUnit.SECONDS));
            assertTrue(running.thread.startsWith("quill-engine-"), running.thread);
            Outcome queued = submit(worker, new GenerationRequest(prompt("The dog"), ENDLESS_GREEDY, 3, List.of()),
                    new CancellationToken());
            assertEquals(1, worker.queuedJobs());
            var full = assertThrows(QueueFullException.class, () -> worker.submit(new InferenceJob(
                    new GenerationRequest(prompt("Mom"), ENDLESS_GREEDY, 3, List.of()), new Outcome(), new CancellationToken())));
            assertTrue(full.retryAfterSeconds() >= 1);

            while (running.tokens < 3) {
                Thread.sleep(1);
            }
            first.cancel();
            GenerationResult cancelled = running.await();
            assertEquals(FinishReason.CANCELLED, cancelled.finishReason());
            assertTrue(cancelled.completionTokens() < 200);
            // The slot went to the queued job at the next step.
            assertEquals(3, queued.await().completionTokens());
            assertEquals(0, worker.activeSequences());

            // A job cancelled while waiting never touches the model.
            CountDownLatch hold = new CountDownLatch(1);
            Outcome holder = new Outcome() {
                @Override
                public void onToken(int token, String piece, Sampler sampler) {
                    try {
                        hold.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            worker.submit(new InferenceJob(new GenerationRequest(prompt("Once"), ENDLESS_GREEDY, 2, List.of()), holder,
                    new CancellationToken()));
            assertTrue(holder.started.await(10, TimeUnit.SECONDS));
            CancellationToken goneCancel = new CancellationToken();
            Outcome gone = submit(worker, new GenerationRequest(prompt("Once"), ENDLESS_GREEDY, 2, List.of()), goneCancel);
            goneCancel.cancel();
            hold.countDown();
            assertThrows(CancellationException.class, () -> gone.result.get(10, TimeUnit.SECONDS));
            assertEquals(0, gone.tokens);
        }
    }

    @Test
    void theKvBudgetHoldsBackWhatDoesNotFitAndTheQueueHasADeadline() throws Exception {
        // 96 tokens of budget: one request of up to 90 positions fits, a second must wait for it.
        SchedulerOptions tight = options().withKvBudgetTokens(96).withPrefixCacheEntries(0)
                .withQueueTimeout(Duration.ofSeconds(30));
        try (ModelWorker worker = new ModelWorker("budget", model, tokenizer, tight)) {
            int[] p = prompt("Once upon a time");
            Outcome a = submit(worker, new GenerationRequest(p, ENDLESS_GREEDY, 85, List.of()), new CancellationToken());
            Outcome b = submit(worker, new GenerationRequest(p, ENDLESS_GREEDY, 85, List.of()), new CancellationToken());
            assertTrue(a.started.await(10, TimeUnit.SECONDS));
            GenerationResult first = a.await();
            b.await();
            assertTrue(b.startedAt > a.completedAt, "b started only once a had returned its pages");
            assertEquals(85, first.completionTokens());
            assertEquals(a.tokenIds, b.tokenIds);
            assertTrue(worker.kvPages().pagesInUse() <= KvPagePool.pagesFor(96));

            // More than the whole budget can never run: a clear error, not an endless wait.
            Outcome tooBig = submit(worker, new GenerationRequest(p, ENDLESS_GREEDY, 200, List.of()), new CancellationToken());
            ExecutionException e = assertThrows(ExecutionException.class, () -> tooBig.result.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("KV budget"), e.getCause().getMessage());
        }
        SchedulerOptions impatient = options().withMaxSequences(1).withQueueTimeout(Duration.ofMillis(300));
        try (ModelWorker worker = new ModelWorker("deadline", model, tokenizer, impatient)) {
            CancellationToken longRun = new CancellationToken();
            // A listener that takes 20 ms a token keeps the only slot busy for seconds.
            Outcome running = new Outcome() {
                @Override
                public void onToken(int token, String piece, Sampler sampler) {
                    super.onToken(token, piece, sampler);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            worker.submit(new InferenceJob(new GenerationRequest(prompt("Once"), ENDLESS_GREEDY, 250, List.of()), running, longRun));
            assertTrue(running.started.await(10, TimeUnit.SECONDS));
            Outcome waiting = submit(worker, new GenerationRequest(prompt("Once"), ENDLESS_GREEDY, 2, List.of()),
                    new CancellationToken());
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.result.get(20, TimeUnit.SECONDS));
            assertInstanceOf(QueueTimeoutException.class, e.getCause());
            longRun.cancel();
            running.await();
        }
    }

    @Test
    void drainLetsRunningRequestsFinishThenEndsTheRestWithAShutdownError() throws Exception {
        try (ModelWorker worker = new ModelWorker("drain", model, tokenizer, options())) {
            Outcome shortOne = submit(worker, new GenerationRequest(prompt("Once upon a time"), ENDLESS_GREEDY, 20, List.of()),
                    new CancellationToken());
            assertTrue(shortOne.started.await(10, TimeUnit.SECONDS));
            assertTrue(worker.drain(Duration.ofSeconds(20)), "a short request finishes within the deadline");
            assertEquals(20, shortOne.await().completionTokens());
            assertThrows(ShutdownException.class, () -> worker.submit(new InferenceJob(
                    new GenerationRequest(prompt("Once"), ENDLESS_GREEDY, 2, List.of()), new Outcome(), new CancellationToken())));
        }
        try (ModelWorker worker = new ModelWorker("drain-late", model, tokenizer, options())) {
            // A listener that takes 50 ms a token: 200 tokens cannot finish in a 300 ms deadline.
            Outcome slow = new Outcome() {
                @Override
                public void onToken(int token, String piece, Sampler sampler) {
                    super.onToken(token, piece, sampler);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            worker.submit(new InferenceJob(new GenerationRequest(prompt("Once"), ENDLESS_GREEDY, 200, List.of()), slow,
                    new CancellationToken()));
            assertTrue(slow.started.await(10, TimeUnit.SECONDS));
            Thread drainer = Thread.ofPlatform().start(() -> worker.drain(Duration.ofMillis(300)));
            Thread.sleep(100);
            var refused = assertThrows(ShutdownException.class, () -> worker.submit(new InferenceJob(
                    new GenerationRequest(prompt("Once"), ENDLESS_GREEDY, 2, List.of()), new Outcome(), new CancellationToken())));
            assertTrue(refused.getMessage().contains("shutting down"));
            drainer.join(10_000);
            ExecutionException e = assertThrows(ExecutionException.class, () -> slow.result.get(10, TimeUnit.SECONDS));
            assertInstanceOf(ShutdownException.class, e.getCause());
            assertTrue(slow.tokens > 0 && slow.tokens < 200, "ended mid-way: " + slow.tokens);
        }
    }

    @Test
    void kvPagesReturnToThePoolWhenSequencesEnd() throws Exception {
        try (ModelWorker worker = new ModelWorker("pages", model, tokenizer, options().withPrefixCacheEntries(0))) {
            List<Outcome> outcomes = new ArrayList<>();
            for (Case c : eightDifferentRequests()) {
                outcomes.add(submit(worker, c.request(), new CancellationToken()));
            }
            for (Outcome o : outcomes) {
                o.await();
            }
            assertEquals(0, worker.kvPages().pagesInUse());
        }
    }

    @Test
    void theSingleSequenceGeneratorAndTheSchedulerAgree() throws Exception {
        Case c = new Case("Lily and Tom", SamplingParams.builder().temperature(1f).seed(42L).build(), 40);
        Outcome viaGenerator = new Outcome();
        GenerationResult direct = new Generator(model, tokenizer).generate(c.request(), viaGenerator, null);
        try (ModelWorker worker = new ModelWorker("agree", model, tokenizer, options())) {
            Outcome scheduled = submit(worker, c.request(), new CancellationToken());
            assertEquals(direct.text(), scheduled.await().text());
            assertArrayEquals(viaGenerator.tokenIds.stream().mapToInt(Integer::intValue).toArray(),
                    scheduled.tokenIds.stream().mapToInt(Integer::intValue).toArray());
        }
    }
}
