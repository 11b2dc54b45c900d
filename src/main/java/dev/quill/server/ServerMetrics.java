package dev.quill.server;

import dev.quill.engine.GenerationResult;
import dev.quill.engine.ModelWorker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Quill's Prometheus figures (at /q/metrics): requests by endpoint and status, prompt and generated
 * tokens, time to first token, generation speed and queue depth, per model.
 */
@ApplicationScoped
@io.quarkus.runtime.Startup
public class ServerMetrics {
    private final MeterRegistry registry;
    private final ModelService models;
    private final Map<String, Counter> generated = new ConcurrentHashMap<>();
    private final Map<String, Boolean> gauges = new ConcurrentHashMap<>();

    public ServerMetrics(MeterRegistry registry, ModelService models) {
        this.registry = registry;
        this.models = models;
        // The server's resident memory (what the OS sees: heap, KV cache and the mapped weights
        // that are paged in), for capacity tests and dashboards; Linux only, NaN elsewhere.
        Gauge.builder("quill_process_resident_bytes", ServerMetrics::residentBytes)
                .description("resident memory of the server process").register(registry);
    }

    static double residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Double.parseDouble(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // Not Linux: no figure.
        }
        return Double.NaN;
    }

    /** One API request answered with {@code status}. */
    public void request(String endpoint, int status) {
        registry.counter("quill_requests", "endpoint", endpoint, "status", Integer.toString(status)).increment();
    }

    /** Called on the engine thread for every token, so the counter tracks a generation as it runs. */
    public void generatedToken(String model) {
        generated.computeIfAbsent(model, m -> Counter.builder("quill_generated_tokens")
                .description("tokens generated").tag("model", m).register(registry)).increment();
    }

    public void timeToFirstToken(String model, long nanos) {
        Timer.builder("quill_time_to_first_token").description("from submission to the first generated token")
                .tag("model", model).register(registry).record(Duration.ofNanos(nanos));
    }

    public void completed(String model, GenerationResult result) {
        Counter.builder("quill_prompt_tokens").description("prompt tokens processed").tag("model", model)
                .register(registry).increment(result.promptTokens());
        if (result.completionTokens() > 0) {
            DistributionSummary.builder("quill_generation_tokens_per_second").description("decoding speed per request")
                    .tag("model", model).register(registry).record(result.generationTokensPerSecond());
        }
    }

    /** Registers the queue-depth gauge of a model once it is loaded. */
    public void watchQueue(String model, ModelWorker worker) {
        if (gauges.putIfAbsent(model, Boolean.TRUE) == null) {
            Gauge.builder("quill_queue_depth", () -> currentDepth(model))
                    .description("requests waiting for the model").tag("model", model).register(registry);
            Gauge.builder("quill_active_sequences", () -> fromWorker(model, w -> w.activeSequences()))
                    .description("sequences decoded together in each step").tag("model", model).register(registry);
            Gauge.builder("quill_kv_pages_used", () -> fromWorker(model, w -> w.kvPages().pagesInUse()))
                    .description("KV cache pages in use (sequences and prefix cache), " + dev.quill.model.KvPagePool.PAGE_TOKENS
                            + " tokens each").tag("model", model).register(registry);
            Gauge.builder("quill_kv_pages_budget", () -> fromWorker(model, w -> w.kvPages().maxPages()))
                    .description("KV cache pages allowed (quill.kv-budget)").tag("model", model).register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder("quill_prefix_cache_hits", model,
                    m -> fromWorker(m, w -> w.prefixCacheHits()))
                    .description("requests that reused a cached prompt prefix").tag("model", model).register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder("quill_prefix_cache_tokens", model,
                    m -> fromWorker(m, w -> w.prefixCacheTokens()))
                    .description("prompt tokens taken from the prefix cache").tag("model", model).register(registry);
        }
    }

    private double fromWorker(String model, java.util.function.ToDoubleFunction<ModelWorker> read) {
        return models.registry().loaded().stream().filter(m -> m.id().equals(model))
                .mapToDouble(m -> read.applyAsDouble(m.worker())).sum();
    }

    private double currentDepth(String model) {
        return models.registry().loaded().stream().filter(m -> m.id().equals(model))
                .mapToInt(m -> m.worker().queuedJobs()).sum();
    }
}
