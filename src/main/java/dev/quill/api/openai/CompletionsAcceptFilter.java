package dev.quill.api.openai;

import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The completion endpoints choose their response type from the body ({@code stream}), not from
 * content negotiation: clients send {@code Accept: text/event-stream} or {@code application/json}
 * (the OpenAI SDK does), and the declared raw-text streaming type must not turn that into a 406.
 */
public class CompletionsAcceptFilter {
    @ServerRequestFilter(preMatching = true)
    public void acceptAnything(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (path.equals("/v1/chat/completions") || path.equals("/v1/completions")) {
            request.getHeaders().remove("Accept");
        }
    }
}
