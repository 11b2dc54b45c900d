package dev.quill.engine;

import dev.quill.model.ModelOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link ModelRegistry} serves and how.
 *
 * @param modelsDir every {@code *.gguf} in it is served, also files added later; may not exist
 * @param modelFiles further model files named one by one
 * @param aliases alternative names: alias to model id
 * @param defaultModel id or alias of the model used when a request names none; null = the first
 *     of {@code modelFiles}, else the first file of {@code modelsDir} by name
 * @param scheduling how each model's worker batches and queues requests
 * @param chatTemplates model id to a chat template (Jinja source) replacing the model's own
 */
public record RegistryOptions(
        Path modelsDir,
        List<Path> modelFiles,
        Map<String, String> aliases,
        String defaultModel,
        ModelOptions modelOptions,
        SchedulerOptions scheduling,
        Map<String, String> chatTemplates) {

    public RegistryOptions {
        Objects.requireNonNull(modelsDir, "modelsDir");
        modelFiles = modelFiles == null ? List.of() : List.copyOf(modelFiles);
        aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
        chatTemplates = chatTemplates == null ? Map.of() : Map.copyOf(chatTemplates);
        modelOptions = modelOptions == null ? ModelOptions.defaults() : modelOptions;
        scheduling = scheduling == null ? SchedulerOptions.defaults() : scheduling;
    }
}
