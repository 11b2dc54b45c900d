package dev.quill.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.quill.engine.ModelRegistry;
import dev.quill.engine.ModelInfo;
import dev.quill.model.ModelOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/**
 * A model as GET /v1/models lists it: OpenAI's fields (id, object, created, owned_by) plus what a
 * user choosing a model wants to know. Fields that are unknown (a file whose header cannot be
 * read) are left out, and {@code error} says why.
 *
 * @param context_length the context the model was trained for
 * @param serving_context_length the context each request gets here (quill.context-length, else the
 *     trained one capped at 4096); null when it cannot be served with that setting
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
        Integer serving_context_length,
        Long size_bytes,
        Boolean chat_template,
        boolean loaded,
        String error) {

    static ModelObject of(ModelRegistry.Entry e, ModelOptions options) {
        ModelInfo i = e.info();
        long created = 0;
        try {
            created = Files.getLastModifiedTime(e.path()).toMillis() / 1000;
        } catch (IOException ignored) {
            // Keep 0: the file went away between listing and reading it.
        }
        boolean ok = i.error() == null;
        Integer serving = null;
        if (ok && i.trainedContextLength() > 0) {
            try {
                serving = options.resolvedContext(i.trainedContextLength());
            } catch (RuntimeException tooLong) {
                // quill.context-length exceeds this model's trained context: it fails to load, and says so then.
            }
        }
        return new ModelObject(e.id(), "model", created, "local", e.aliases(), ok ? i.name() : null,
                ok ? i.architecture() : null, ok ? i.weightType() : null, ok ? i.parameterCount() : null,
                ok ? i.trainedContextLength() : null, serving, i.fileSize(), ok ? i.hasChatTemplate() : null, e.loaded(),
                e.loadError());
    }
}
