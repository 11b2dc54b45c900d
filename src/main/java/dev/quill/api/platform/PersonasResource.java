package dev.quill.api.platform;

import dev.quill.prompts.Persona;
import dev.quill.prompts.store.PromptStore;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;

/**
 * GET /api/personas: the stored personas with their system prompts, so a client (the playground's
 * persona picker) can offer them. Personas are edited as files in prompts/personas and imported.
 */
@Path("/api/personas")
@Produces(MediaType.APPLICATION_JSON)
public class PersonasResource {
    private final PromptStore store;

    public PersonasResource(PromptStore store) {
        this.store = store;
    }

    public record PersonaInfo(String name, String description, List<String> tags, String system_prompt) {
        static PersonaInfo of(Persona p) {
            return new PersonaInfo(p.name(), p.description(), p.tags(), p.systemPrompt());
        }
    }

    @GET
    public Map<String, Object> list() {
        return Map.of("object", "list", "data", store.personas().stream().map(PersonaInfo::of).toList());
    }
}
