package dev.quill.api.platform;

import dev.quill.server.ModelService;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;

/** Loads and unloads models by hand: unloading frees the memory mapping and the KV cache. */
@Path("/api/models/{id}")
@Produces(MediaType.APPLICATION_JSON)
public class ModelAdminResource {
    private final ModelService models;

    public ModelAdminResource(ModelService models) {
        this.models = models;
    }

    public record ModelState(String id, boolean loaded, int context_length) {
    }

    @POST
    @Path("/load")
    public ModelState load(@RestPath String id) {
        var served = models.registry().acquire(id);
        return new ModelState(served.id(), true, served.contextLength());
    }

    @POST
    @Path("/unload")
    public ModelState unload(@RestPath String id) {
        var entry = models.registry().find(id).orElse(null);
        models.registry().unload(id);
        return new ModelState(entry == null ? id : entry.id(), false, 0);
    }
}
