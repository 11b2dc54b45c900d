package dev.quill.api.openai;

import dev.quill.engine.UnknownModelException;
import dev.quill.server.ModelService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.jboss.resteasy.reactive.RestPath;

/** GET /v1/models and /v1/models/{id}: every model in the models directory and on the command line. */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {
    private final ModelService models;

    public ModelsResource(ModelService models) {
        this.models = models;
    }

    /** OpenAI's list shape. */
    public record ModelList(String object, List<ModelObject> data) {
    }

    private dev.quill.model.ModelOptions options() {
        return models.registry().options().modelOptions();
    }

    @GET
    public ModelList list() {
        return new ModelList("list", models.registry().list().stream().map(e -> ModelObject.of(e, options())).toList());
    }

    @GET
    @Path("/{id}")
    public ModelObject get(@RestPath String id) {
        return models.registry().find(id).map(e -> ModelObject.of(e, options()))
                .orElseThrow(() -> new UnknownModelException(id, "model '" + id + "' does not exist; GET /v1/models lists the available ones"));
    }
}
