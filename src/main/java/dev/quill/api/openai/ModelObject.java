package dev.quill.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.quill.engine.ModelRegistry;
import dev.quill.engine.ModelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/**
 * A model as GET /v1/models lists it: OpenAI's fields (id, object, created, owned_by) plus what a
 * user choosing a model wants to know. Fields that are unknown (a file whose header cannot be
 * read) are left out, and {@code error} says why.
 *
 * @param contextLength the context the model was trained for
 * @param loaded whether the model is in memory now (it loads on first use)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelObject(
        String id,
        String object,
        long created,
        String owned_by,
        List<String> aliases,
        String name,
        String architecture,
        String weight_type,
        Long parameter_count,
        Integer context_length,
        Long size_bytes,
        Boolean chat_template,
        boolean loaded,
        String error) {

    static ModelObject of(ModelRegistry.Entry e) {
        ModelInfo i = e.info();
        long created = 0;
        try {
            created = Files.getLastModifiedTime(e.path()).toMillis() / 1000;
        } catch (IOException ignored) {
            // Keep 0: the file went away between listing and reading it.
        }
        boolean ok = i.error() == null;
        return new ModelObject(e.id(), "model", created, "local", e.aliases(), ok ? i.name() : null,
                ok ? i.architecture() : null, ok ? i.weightType() : null, ok ? i.parameterCount() : null,
                ok ? i.trainedContextLength() : null, i.fileSize(), ok ? i.hasChatTemplate() : null, e.loaded(),
                e.loadError());
    }
}
