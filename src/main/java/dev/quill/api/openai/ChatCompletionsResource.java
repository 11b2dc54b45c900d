package dev.quill.api.openai;

import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * OpenAI's chat and text completions. The body is read as text and checked field by field, so
 * every mistake gets a 400 that names it. Runs on a worker thread (template rendering and
 * tokenization are not event-loop work); generation runs on the model's engine thread.
 */
@Path("/v1")
public class ChatCompletionsResource {
    private final CompletionService completions;

    public ChatCompletionsResource(CompletionService completions) {
        this.completions = completions;
    }

    // The declared type only selects raw streaming; each response sets its own Content-Type.
    @POST
    @Path("/chat/completions")
    @Produces(MediaType.TEXT_PLAIN)
    @Blocking
    public RestMulti<String> chat(String body) {
        return completions.chat(body);
    }

    @POST
    @Path("/completions")
    @Produces(MediaType.TEXT_PLAIN)
    @Blocking
    public RestMulti<String> completions(String body) {
        return completions.completion(body);
    }
}
