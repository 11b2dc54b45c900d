package dev.quill.api;

import dev.quill.prompts.InvalidTemplateException;
import dev.quill.prompts.InvalidVariableException;
import dev.quill.prompts.MissingVariableException;
import dev.quill.prompts.PromptException;
import dev.quill.prompts.RenderLimitException;
import dev.quill.prompts.TemplateRenderException;
import dev.quill.prompts.store.PromptNotFoundException;
import dev.quill.prompts.store.StoreException;
import dev.quill.prompts.store.VersionConflictException;

import dev.quill.engine.ChatTemplateFailure;
import dev.quill.engine.ModelUnavailableException;
import dev.quill.engine.QueueFullException;
import dev.quill.engine.QueueTimeoutException;
import dev.quill.engine.ShutdownException;
import dev.quill.engine.UnknownModelException;
import dev.quill.sampling.InvalidSamplingParameterException;
import jakarta.ws.rs.WebApplicationException;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.jboss.logging.Logger;

/**
 * Turns any failure into the {@link ApiException} the client sees. Expected failures keep their
 * message; unexpected ones are logged here and reach the client as a generic 500 without a stack trace.
 */
public final class ApiErrors {
    private static final Logger LOG = Logger.getLogger(ApiErrors.class);

    private ApiErrors() {
    }

    public static ApiException from(Throwable t) {
        if (t instanceof ApiException e) {
            return e;
        }
        if (t instanceof InvalidSamplingParameterException e) {
            return ApiException.invalid(e.parameter(), e.getMessage());
        }
        if (t instanceof UnknownModelException e) {
            return new ApiException(404, "invalid_request_error", "model", "model_not_found", e.getMessage());
        }
        if (t instanceof ModelUnavailableException e) {
            return new ApiException(503, "unavailable_error", e.model() == null ? "model" : null, "model_unavailable",
                    e.getMessage());
        }
        if (t instanceof QueueFullException e) {
            return new ApiException(429, "rate_limit_error", null, "queue_full", e.getMessage(),
                    Map.of("Retry-After", Integer.toString(e.retryAfterSeconds())));
        }
        if (t instanceof QueueTimeoutException e) {
            return new ApiException(503, "unavailable_error", null, "queue_timeout", e.getMessage(), Map.of("Retry-After", "5"));
        }
        if (t instanceof ShutdownException e) {
            return new ApiException(503, "unavailable_error", null, "shutting_down", e.getMessage());
        }
        if (t instanceof ChatTemplateFailure e) {
            if (e.raisedByTemplate()) {
                return ApiException.invalid("messages", e.getMessage());
            }
            LOG.warn("chat template failed", e);
            return new ApiException(500, "server_error", null, "chat_template_error", e.getMessage());
        }
        if (t instanceof CancellationException) {
            return new ApiException(499, "invalid_request_error", null, "cancelled", "the request was cancelled");
        }
        if (t instanceof PromptException e) {
            return fromPrompt(e);
        }
        if (t instanceof WebApplicationException e) {
            int status = e.getResponse().getStatus();
            String message = switch (status) {
                case 404 -> "no such endpoint; see the README for the API";
                case 405 -> "method not allowed on this endpoint";
                case 406 -> "cannot produce the requested media type";
                case 413 -> "the request body is too large";
                case 415 -> "unsupported media type: send JSON";
                default -> e.getMessage();
            };
            String type = status >= 500 ? "server_error" : "invalid_request_error";
            return new ApiException(status, type, null, null, message);
        }
        LOG.error("unexpected failure", t);
        return new ApiException(500, "server_error", null, "internal_error",
                "internal error: " + t.getClass().getSimpleName() + "; see the server log");
    }

    /** The prompt library's failures: what the caller sent is wrong (4xx), except a failing database (503). */
    private static ApiException fromPrompt(PromptException e) {
        return switch (e) {
            case PromptNotFoundException n -> new ApiException(404, "invalid_request_error", "name", "not_found", n.getMessage());
            case VersionConflictException c -> new ApiException(409, "invalid_request_error", "base_version", "version_conflict",
                    c.getMessage(), c.currentVersion() > 0 ? Map.of("X-Quill-Current-Version", Integer.toString(c.currentVersion())) : Map.of(),
                    c.currentVersion() > 0 ? c.currentVersion() : null);
            case MissingVariableException m -> new ApiException(422, "invalid_request_error",
                    "variables." + m.variables().getFirst(), "missing_variable", m.getMessage());
            case InvalidVariableException v -> new ApiException(422, "invalid_request_error", "variables." + v.variable(),
                    "invalid_variable", v.getMessage());
            case TemplateRenderException r -> new ApiException(422, "invalid_request_error", "template", "template_error", r.getMessage());
            case RenderLimitException r -> new ApiException(422, "invalid_request_error", "template", "render_limit", r.getMessage());
            case InvalidTemplateException i -> ApiException.invalid(i.field(), i.getMessage());
            case StoreException s -> {
                LOG.error("prompt store failed", s);
                yield new ApiException(503, "unavailable_error", null, "store_unavailable",
                        "the prompt store is unavailable; see the server log");
            }
            default -> ApiException.invalid(null, e.getMessage());
        };
    }
}
