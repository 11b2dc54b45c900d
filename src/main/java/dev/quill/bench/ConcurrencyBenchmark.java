package dev.quill.bench;

import dev.quill.engine.CancellationToken;
import dev.quill.engine.GenerationRequest;
import dev.quill.engine.GenerationResult;
import dev.quill.engine.InferenceJob;
import dev.quill.engine.JobListener;
import dev.quill.engine.ModelWorker;
import dev.quill.engine.SchedulerOptions;
import dev.quill.model.KvPagePool;
import dev.quill.model.Model;
import dev.quill.model.ModelOptions;
import dev.quill.sampling.Sampler;
import dev.quill.sampling.SamplingParams;
import dev.quill.tokenizer.Tokenizer;
import dev.quill.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Aggregate generation speed with several streams at once through the batching scheduler, as a
 * server would run them: N requests submitted together, each with its own random prompt and a
 * fixed number of tokens to generate (end of text banned), timed from submission until the last
 * one finishes.
 */
public final class ConcurrencyBenchmark {
    /** What to run. */
    public record Settings(int threads, int promptTokens, int genTokens, int repeat, int batch) {
    }

    /**
     * One concurrency level: aggregate tokens/s (median of repeats), median time to first token,
     * and the most streams the scheduler ran in one step (over all repeats): below {@code streams}
     * when some had to wait for a slot, which makes the aggregate a serial figure.
     */
    public record Result(int streams, double aggregateTokensPerSecond, double perStreamTokensPerSecond,
            double medianFirstTokenSeconds, int peakRunningStreams) {
    }

    private ConcurrencyBenchmark() {
    }

    public static List<Result> run(Path file, Settings s, List<Integer> concurrency) throws IOException {
        int maxStreams = concurrency.stream().mapToInt(Integer::intValue).max().orElse(1);
        int context = s.promptTokens() + s.genTokens() + 1;
        List<Result> results = new ArrayList<>();
        try (Model model = Model.load(file, new ModelOptions(context, s.threads(), Math.max(s.batch(), maxStreams)))) {
            Tokenizer tokenizer = Tokenizers.fromGguf(model.file().metadata());
            int vocab = model.config().vocabSize();
            Map<Integer, Float> bans = new HashMap<>();
            for (int t = 0; t < vocab; t++) {
                if (tokenizer.isEndOfGeneration(t)) {
                    bans.put(t, -100f);
                }
            }
            SamplingParams params = SamplingParams.builder().temperature(0).logitBias(bans).build();
            // The budget is spent in whole pages: a budget of streams * context tokens fell short of
            // streams * pages(context) pages, so the last stream waited for the others to finish.
            int budget = maxStreams * KvPagePool.pagesFor(context) * KvPagePool.PAGE_TOKENS;
            SchedulerOptions options = SchedulerOptions.defaults().withMaxSequences(maxStreams).withQueueSize(maxStreams)
                    .withKvBudgetTokens(budget).withPrefixCacheEntries(0);
            SplittableRandom random = new SplittableRandom(1234);
            try (ModelWorker worker = new ModelWorker("bench", model, tokenizer, options)) {
                // Warm-up: the JIT compiles the batched path at the largest width first.
                runOnce(worker, random, vocab, s, params, maxStreams);
                for (int streams : concurrency) {
                    double[] aggregate = new double[s.repeat()];
                    double[] firstToken = new double[s.repeat()];
                    double[] perStream = new double[s.repeat()];
                    int peak = 0;
                    for (int r = 0; r < s.repeat(); r++) {
                        Run run = runOnce(worker, random, vocab, s, params, streams);
                        aggregate[r] = run.aggregate;
                        firstToken[r] = run.medianFirstToken;
                        perStream[r] = run.perStream;
                        peak = Math.max(peak, run.peakRunning);
                    }
                    results.add(new Result(streams, Benchmark.Rate.of(aggregate).median(), Benchmark.Rate.of(perStream).median(),
                            Benchmark.Rate.of(firstToken).median(), peak));
                }
            }
        }
        return results;
    }

    private record Run(double aggregate, double perStream, double medianFirstToken, int peakRunning) {
    }

    /** Time to first token of one request with a {@code prefixTokens}-token prompt, cold and with its prefix cached. */
    public record PrefixResult(int prefixTokens, double coldSeconds, double warmSeconds, int cachedTokens) {
    }

    /**
     * Sends the same {@code prefixTokens}-token prompt twice (one token generated each time): the
     * first computes every position, the second takes all but the last from the prefix cache.
     */
    public static PrefixResult prefixCache(Path file, int threads, int prefixTokens, int batch) throws IOException {
        try (Model model = Model.load(file, new ModelOptions(prefixTokens + 2, threads, batch))) {
            Tokenizer tokenizer = Tokenizers.fromGguf(model.file().metadata());
            int[] prompt = new SplittableRandom(99).ints(prefixTokens, 0, model.config().vocabSize()).toArray();
            SchedulerOptions options = SchedulerOptions.defaults().withKvBudgetTokens(4 * (prefixTokens + 2));
            try (ModelWorker worker = new ModelWorker("bench", model, tokenizer, options)) {
                // Warm-up on a different prompt, twice: the JIT compiles the prefill path and, on
                // the second (cached) run, the one-token path a cache hit takes.
                int[] warmUp = new SplittableRandom(7).ints(Math.min(prefixTokens, 256), 0, model.config().vocabSize()).toArray();
                for (int i = 0; i < 2; i++) {
                    firstToken(worker, warmUp);
                }
                double[] cold = firstToken(worker, prompt);
                double[] warm = new double[3];
                int cached = 0;
                for (int i = 0; i < warm.length; i++) {
                    double[] hit = firstToken(worker, prompt);
                    warm[i] = hit[0];
                    cached = (int) hit[1];
                }
                return new PrefixResult(prefixTokens, cold[0], Benchmark.Rate.of(warm).median(), cached);
            }
        }
    }

    /** Seconds to the first token and the cached prompt tokens. */
    private static double[] firstToken(ModelWorker worker, int[] prompt) {
        long start = System.nanoTime();
        TimedJob job = TimedJob.submit(worker, new GenerationRequest(prompt, SamplingParams.greedy(), 1, List.of()), start);
        GenerationResult r = job.await("the prefix-cache request");
        // A request that ends on an end-of-text token has no first token: count its whole time.
        return new double[] {Double.isNaN(job.firstTokenSeconds) ? (System.nanoTime() - start) / 1e9 : job.firstTokenSeconds,
            r.cachedTokens()};
    }

    private static Run runOnce(ModelWorker worker, SplittableRandom random, int vocab, Settings s, SamplingParams params,
            int streams) {
        List<TimedJob> jobs = new ArrayList<>();
        AtomicInteger peakRunning = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            int[] prompt = random.ints(s.promptTokens(), 0, vocab).toArray();
            jobs.add(TimedJob.submit(worker, new GenerationRequest(prompt, params, s.genTokens(), List.of()), start, peakRunning));
        }
        long tokens = 0;
        double streamRate = 0;
        double[] firstToken = new double[streams];
        for (int i = 0; i < streams; i++) {
            GenerationResult r = jobs.get(i).await("a benchmark stream");
            tokens += r.completionTokens();
            streamRate += r.generationTokensPerSecond();
            firstToken[i] = jobs.get(i).firstTokenSeconds;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Run(tokens / seconds, streamRate / streams, Benchmark.Rate.of(firstToken).median(), peakRunning.get());
    }

    /** One benchmark request: when its first token came (seconds after {@code start}) and its result. */
    private static final class TimedJob implements JobListener {
        private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        private final long start;
        private final ModelWorker worker;
        private final AtomicInteger peakRunning;
        volatile double firstTokenSeconds = Double.NaN;

        private TimedJob(long start, ModelWorker worker, AtomicInteger peakRunning) {
            this.start = start;
            this.worker = worker;
            this.peakRunning = peakRunning;
        }

        static TimedJob submit(ModelWorker worker, GenerationRequest request, long start) {
            return submit(worker, request, start, new AtomicInteger());
        }

        static TimedJob submit(ModelWorker worker, GenerationRequest request, long start, AtomicInteger peakRunning) {
            TimedJob job = new TimedJob(start, worker, peakRunning);
            worker.submit(new InferenceJob(request, job, new CancellationToken()));
            return job;
        }

        @Override
        public void onToken(int token, String text, Sampler sampler) {
            // Called on the engine thread after a step: the sequences running then ran in it.
            peakRunning.accumulateAndGet(worker.activeSequences(), Math::max);
            if (Double.isNaN(firstTokenSeconds)) {
                firstTokenSeconds = (System.nanoTime() - start) / 1e9;
            }
        }

        @Override
        public void onComplete(GenerationResult r) {
            result.complete(r);
        }

        @Override
        public void onError(RuntimeException error) {
            result.completeExceptionally(error);
        }

        GenerationResult await(String what) {
            try {
                return result.get(30, TimeUnit.MINUTES);
            } catch (Exception e) {
                throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
            }
        }
    }
}
