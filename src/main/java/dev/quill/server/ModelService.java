package dev.quill.server;

import dev.quill.engine.ModelRegistry;
import dev.quill.engine.ModelUnavailableException;
import dev.quill.engine.RegistryOptions;
import dev.quill.engine.SchedulerOptions;
import dev.quill.model.ModelOptions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/** Owns the {@link ModelRegistry} for the server's lifetime: built from the configuration at start, closed at shutdown. */
@ApplicationScoped
public class ModelService {
    private static final Logger LOG = Logger.getLogger(ModelService.class);

    private final ModelRegistry registry;
    private final QuillConfig config;

    public ModelService(QuillConfig config, Config raw) {
        this.config = config;
        ModelOptions modelOptions = new ModelOptions(config.contextLength(), config.threads(), config.batchSize());
        List<Path> files = config.modelFiles().orElse(List.of()).stream().map(Path::of).toList();
        this.registry = new ModelRegistry(new RegistryOptions(Path.of(config.modelsDir()), files, byPrefix(raw, "quill.models."),
                config.defaultModel().orElse(null), modelOptions, schedulerOptions(config), chatTemplates(byPrefix(raw, "quill.chat-template."))));
    }

    public ModelRegistry registry() {
        return registry;
    }

    /** Stream events buffered for a slow client before its request is cancelled. */
    public int streamBufferEvents() {
        return config.streamBufferEvents();
    }

    /** When SIGTERM arrived; the drain deadline counts from it. */
    private volatile long shutdownStartedNanos;

    void onStart(@Observes StartupEvent event) {
        // SIGTERM runs this beside Quarkus' own hook, which then keeps in-flight HTTP requests
        // (streams) going for up to quarkus.shutdown.timeout: new generations are refused from
        // the start, the running ones keep streaming.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("quill-stop-accepting").unstarted(() -> {
            shutdownStartedNanos = System.nanoTime();
            registry.stopAccepting();
        }));
        var models = registry.list();
        if (models.isEmpty()) {
            LOG.warnf("no model found: %s", ModelRegistry.HOW_TO_ADD_A_MODEL.formatted(
                    Path.of(config.modelsDir()).toAbsolutePath().normalize()));
        } else {
            LOG.infof("models: %s (default: %s)", String.join(", ", models.stream().map(ModelRegistry.Entry::id).toList()),
                    registry.defaultModelId().orElse("none"));
        }
        if (config.preload() && !models.isEmpty()) {
            try {
                registry.acquire(null);
            } catch (RuntimeException e) {
                // The server still starts: requests for this model get the error, others work.
                LOG.errorf("preloading the default model failed: %s", e.getMessage());
            }
        }
    }

    private static SchedulerOptions schedulerOptions(QuillConfig config) {
        return new SchedulerOptions(config.maxSequences(), config.queueSize(), config.kvBudget(), config.queueTimeout(),
                config.prefixCacheEntries());
    }

    /**
     * Graceful shutdown. Quarkus fires this before it stops the HTTP server, so streams still
     * running get their remaining tokens (or, at the deadline, a final error event).
     */
    void onStop(@Observes ShutdownEvent event) {
        long t0 = System.nanoTime();
        long started = shutdownStartedNanos == 0 ? t0 : shutdownStartedNanos;
        java.time.Duration left = config.shutdownTimeout().minusNanos(t0 - started);
        if (left.isNegative()) {
            left = java.time.Duration.ZERO;
        }
        int running = registry.loaded().stream().mapToInt(m -> m.worker().activeSequences() + m.worker().queuedJobs()).sum();
        if (running > 0) {
            LOG.infof("shutdown: draining %d running or queued requests (up to %s)", running, config.shutdownTimeout());
        }
        boolean clean = registry.drain(left);
        LOG.infof("shutdown: %s in %d ms", clean ? "all requests finished" : "requests still running were ended",
                (System.nanoTime() - t0) / 1_000_000);
        registry.close();
    }

    /** Overrides whose value names a {@code .jinja} file are read from it; others are the template itself. */
    private static Map<String, String> chatTemplates(Map<String, String> configured) {
        Map<String, String> out = new LinkedHashMap<>();
        configured.forEach((model, value) -> {
            String v = value.strip();
            if (v.endsWith(".jinja") && !v.contains("{")) {
                try {
                    out.put(model, Files.readString(Path.of(v)));
                } catch (IOException e) {
                    throw new UncheckedIOException("quill.chat-template." + model + ": cannot read " + v, e);
                }
            } else {
                out.put(model, value);
            }
        });
        return out;
    }

    /** Every {@code prefix<key>=value} property as key to value; a quoted key loses its quotes. */
    private static Map<String, String> byPrefix(Config raw, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : raw.getPropertyNames()) {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                String rawKey = name.substring(prefix.length());
                String key = rawKey.length() > 1 && rawKey.startsWith("\"") && rawKey.endsWith("\"")
                        ? rawKey.substring(1, rawKey.length() - 1) : rawKey;
                raw.getOptionalValue(name, String.class).ifPresent(v -> out.put(key, v));
            }
        }
        return out;
    }

    /** Whether the default model is loaded and able to take requests. */
    public boolean defaultModelReady() {
        return registry.loadedDefault().isPresent();
    }

    /** Loads the default model unless it is loaded or failed; used by the readiness check. */
    public void warmDefault() {
        try {
            registry.acquire(null);
        } catch (ModelUnavailableException | dev.quill.engine.UnknownModelException e) {
            // Reported by the readiness check itself.
        }
    }
}
