package dev.quill.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the default model is loaded and can serve. While it is not, the check starts loading
 * it in the background, so an orchestrator's readiness probe warms the server up.
 */
@Readiness
public class ModelReadiness implements HealthCheck {
    private final ModelService models;
    private final AtomicBoolean loading = new AtomicBoolean();

    public ModelReadiness(ModelService models) {
        this.models = models;
    }

    @Override
    public HealthCheckResponse call() {
        var registry = models.registry();
        var builder = HealthCheckResponse.named("default model");
        var id = registry.defaultModelId();
        if (id.isEmpty()) {
            return builder.down().withData("reason", "no model installed").build();
        }
        builder.withData("model", id.get());
        if (models.defaultModelReady()) {
            return builder.up().build();
        }
        var entry = registry.find(id.get());
        if (entry.isPresent() && entry.get().loadError() != null) {
            builder.withData("error", entry.get().loadError());
        }
        if (loading.compareAndSet(false, true)) {
            CompletableFuture.runAsync(models::warmDefault).whenComplete((v, t) -> loading.set(false));
        }
        return builder.down().withData("reason", "loading").build();
    }
}
