package dev.quill.server;

import dev.quill.api.ApiException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Gives every HTTP request an id: the caller's {@code X-Request-Id} (a proxy or client that already
 * has one), else a new random one. The id is returned in the response's {@code X-Request-Id} header
 * and is in the logging context ({@code request_id}) of every line logged while the request is
 * handled, so one request can be followed through the logs of a replica. When
 * {@code quill.request-log} is on, one line per request is logged when its response ends.
 */
@ApplicationScoped
public class RequestIds {
    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "request_id";
    /** Ids go into log lines and headers: printable, no spaces or line breaks, bounded. */
    static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:/+=@-]{1,128}");
    private static final Logger LOG = Logger.getLogger("dev.quill.requests");

    private final HttpGate gate;
    private final QuillConfig config;

    public RequestIds(HttpGate gate, QuillConfig config) {
        this.gate = gate;
        this.config = config;
    }

    void install(@Observes Router router) {
        // First of all handlers, so that even requests the gate refuses (401, 413) carry an id.
        router.route().order(Integer.MIN_VALUE).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        String given = ctx.request().getHeader(HEADER);
        String id = given == null ? newId() : given.strip();
        ctx.response().putHeader(HEADER, VALID.matcher(id).matches() ? id : newId());
        if (!VALID.matcher(id).matches()) {
            // Refused rather than replaced silently: the caller expects to find its id in our logs.
            gate.reject(ctx, ApiException.invalid(HEADER, "the " + HEADER + " header must be 1 to 128 characters of "
                    + "A-Z a-z 0-9 . _ : / + = @ -, got " + describe(given)));
            return;
        }
        // Quarkus keeps the MDC in the request's Vert.x context, so resources, worker threads and
        // exception mappers handling this request log with the id too.
        MDC.put(MDC_KEY, id);
        // Health probes and metric scrapes come every few seconds: not worth a line each.
        if (config.requestLog() && !ctx.request().path().startsWith("/q/")) {
            long start = System.nanoTime();
            String method = ctx.request().method().name();
            String path = ctx.request().path();
            ctx.addEndHandler(v -> {
                MDC.put(MDC_KEY, id);
                LOG.infof("%s %s %d in %d ms", method, path, ctx.response().getStatusCode(),
                        (System.nanoTime() - start) / 1_000_000);
            });
        }
        ctx.next();
    }

    static String newId() {
        return UUID.randomUUID().toString();
    }

    private static String describe(String value) {
        String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        StringBuilder out = new StringBuilder("'");
        for (char c : shown.toCharArray()) {
            // Control characters are shown escaped: the message must not break lines itself.
            out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.append("' (").append(value.length()).append(" characters)").toString();
    }
}
