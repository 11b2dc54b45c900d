package dev.quill.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quill.api.ApiException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;

/**
 * The checks every API request passes before any body is read, at the HTTP layer: the API key
 * (when {@code quill.api-keys} is set) and the body size. It also counts responses by endpoint
 * and status for /q/metrics, including those refused here.
 */
@ApplicationScoped
public class HttpGate {
    /** Paths that are counted under their own name; everything else is "other". */
    private static final Set<String> ENDPOINTS = Set.of("/v1/chat/completions", "/v1/completions", "/v1/models",
            "/api/tokenize", "/api/detokenize", "/api/chat/render");

    private final QuillConfig config;
    private final ServerMetrics metrics;
    private final ObjectMapper mapper;
    private final List<byte[]> apiKeys;

    public HttpGate(QuillConfig config, ServerMetrics metrics, ObjectMapper mapper) {
        this.config = config;
        this.metrics = metrics;
        this.mapper = mapper;
        this.apiKeys = config.apiKeys().orElse(List.of()).stream().map(String::strip).filter(k -> !k.isEmpty())
                .map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    void install(@Observes Router router) {
        // Runs before RESTEasy Reactive's handlers, so refused requests never reach a resource.
        router.route().order(Integer.MIN_VALUE + 1).handler(this::handle);
        // A chunked body has no Content-Length to check here: Quarkus itself answers 413 (with an
        // empty body) once quarkus.http.limits.max-body-size, set from quill.max-body-size, is passed.
    }

    private ApiException tooLarge(String length) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large", "the request body is "
                + length + " bytes, more than the limit of " + config.maxBodySize().asLongValue()
                + " bytes (quill.max-body-size)");
    }

    private void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        boolean api = path.startsWith("/v1/") || path.startsWith("/api/");
        if (!api) {
            ctx.next();
            return;
        }
        String endpoint = endpoint(path);
        ctx.addHeadersEndHandler(v -> metrics.request(endpoint, ctx.response().getStatusCode()));
        if (!apiKeys.isEmpty() && !authorized(ctx.request().getHeader(HttpHeaders.AUTHORIZATION))) {
            reject(ctx, new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                    "a valid API key is required: send the header 'Authorization: Bearer <key>' with a key from quill.api-keys"));
            return;
        }
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > config.maxBodySize().asLongValue()) {
                    reject(ctx, tooLarge(length.strip()));
                    return;
                }
            } catch (NumberFormatException e) {
                // Vert.x itself refuses a malformed Content-Length.
            }
        }
        ctx.next();
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] key : apiKeys) {
            // Constant-time, so the comparison leaks nothing about how much of a key was right.
            ok |= MessageDigest.isEqual(key, given);
        }
        return ok;
    }

    /** Ends the request with the error's status and OpenAI-shaped body (also used by {@link RequestIds}). */
    void reject(RoutingContext ctx, ApiException e) {
        String body;
        try {
            body = mapper.writeValueAsString(e.body());
        } catch (JsonProcessingException ex) {
            body = "{\"error\":{\"message\":\"" + e.status() + "\",\"type\":\"" + e.type() + "\",\"param\":null,\"code\":null}}";
        }
        var response = ctx.response().setStatusCode(e.status()).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (e.status() == 401) {
            response.putHeader("WWW-Authenticate", "Bearer");
        }
        // The unread body would otherwise be read as the next request on this connection.
        response.putHeader(HttpHeaders.CONNECTION, "close");
        response.end(body);
    }

    private static String endpoint(String path) {
        if (ENDPOINTS.contains(path)) {
            return path;
        }
        if (path.startsWith("/v1/models/")) {
            return "/v1/models/{id}";
        }
        if (path.startsWith("/api/models/")) {
            return "/api/models/{id}";
        }
        return "other";
    }
}
