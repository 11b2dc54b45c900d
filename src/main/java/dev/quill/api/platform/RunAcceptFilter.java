package dev.quill.api.platform;

import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ContainerRequestContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * {@code POST /api/prompts/{name}/run} chooses JSON or server-sent events itself: a client's
 * {@code Accept: text/event-stream} asks for the stream (when the body has no {@code stream}
 * field), and no Accept header may turn into a 406 against the endpoint's declared raw-text type.
 * The wish is noted on the routing context before the header is dropped.
 */
public class RunAcceptFilter {
    static final String WANTS_EVENT_STREAM = "quill.run.event-stream";

    @ServerRequestFilter(preMatching = true)
    public void noteAccept(ContainerRequestContext request, RoutingContext routing) {
        String path = request.getUriInfo().getPath();
        if (path.startsWith("/api/prompts/") && path.endsWith("/run") && "POST".equals(request.getMethod())) {
            String accept = request.getHeaderString("Accept");
            routing.put(WANTS_EVENT_STREAM, accept != null && accept.contains("text/event-stream"));
            request.getHeaders().remove("Accept");
        }
    }
}
