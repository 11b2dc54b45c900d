package dev.quill.api.platform;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quill.api.ApiException;
import dev.quill.api.JsonRequest;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.diff.LineDiff;
import dev.quill.prompts.diff.PromptVersion;
import dev.quill.prompts.diff.TemplateDiff;
import dev.quill.prompts.format.PromptFileParser;
import dev.quill.prompts.format.PromptFileWriter;
import dev.quill.prompts.store.PromptStore;
import dev.quill.prompts.store.PromptSummary;
import dev.quill.prompts.store.Saved;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestMulti;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * The prompt library over HTTP: a thin mapping onto {@link PromptStore} and {@link PromptWorkbench}.
 * Names contain slashes ({@code qa/answer-check}), so the name is matched as {@code .+}; the
 * sub-resources ({@code /versions}, {@code /diff}, ...) have more literal characters and win
 * (a template whose last segment is {@code versions} is read by {@code ?version=} instead).
 * Numbers in queries are read as text and parsed here, so a bad one is a 400 naming it, not a 404.
 * Every method is blocking (database, tokenizer, engine), so it runs on a worker thread.
 */
@Path("/api/prompts")
@Produces(MediaType.APPLICATION_JSON)
public class PromptsResource {
    private final PromptStore store;
    private final PromptWorkbench workbench;
    private final ObjectMapper mapper;

    public PromptsResource(PromptStore store, PromptWorkbench workbench, ObjectMapper mapper) {
        this.store = store;
        this.workbench = workbench;
        this.mapper = mapper;
    }

    public record VersionInfo(int version, String hash, String message, String created, int parent) {
        static VersionInfo of(PromptVersion v) {
            return new VersionInfo(v.number(), v.hash(), v.message(), v.createdAt().toString(), v.parent());
        }
    }

    @GET
    public Map<String, Object> list(@RestQuery String q, @RestQuery String archived) {
        List<PromptSummary> found = store.list(q, "true".equals(archived));
        List<Map<String, Object>> data = found.stream().map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("description", p.description());
            m.put("tags", p.tags());
            m.put("archived", p.archived());
            m.put("latest_version", p.latestVersion());
            m.put("created_at", p.created().toString());
            return m;
        }).toList();
        return Map.of("object", "list", "data", data);
    }

    /** JSON ({@code content} in the file format, or fields), or the file text itself as text/markdown or text/plain. */
    @POST
    @Consumes(MediaType.WILDCARD)
    public RestResponse<Map<String, Object>> create(String body, @RestHeader("Content-Type") String contentType) {
        PromptTemplate t;
        String message = "created";
        if (isFileText(contentType)) {
            t = workbench.template(fileRequest(body), null);
        } else {
            JsonRequest req = JsonRequest.parse(mapper, body);
            req.allowOnly(Set.of("content", "message", "name", "description", "tags", "variables", "body", "messages", "persona"), Set.of());
            t = workbench.template(req, null);
            message = req.string("message") == null ? message : req.string("message");
        }
        Saved s = store.create(t, message);
        return RestResponse.status(RestResponse.Status.CREATED, saved(s));
    }

    @GET
    @Path("/{name: .+}/versions")
    public Map<String, Object> versions(@RestPath String name) {
        return Map.of("object", "list", "name", name,
                "data", store.versions(name).stream().map(VersionInfo::of).toList(), "labels", store.labels(name));
    }

    @POST
    @Path("/{name: .+}/versions")
    @Consumes(MediaType.WILDCARD)
    public RestResponse<Map<String, Object>> newVersion(@RestPath String name, String body) {
        JsonRequest req = JsonRequest.parse(mapper, body);
        req.allowOnly(Set.of("base_version", "content", "message", "name", "description", "tags", "variables", "body", "messages",
                "persona"), Set.of());
        Integer base = req.integer("base_version");
        if (base == null) {
            throw req.missing("base_version", "the version this edit was made from (the latest, or the edit is refused with 409)");
        }
        PromptTemplate t = workbench.template(req, name);
        Saved s = store.newVersion(name, base, t, req.string("message"));
        return RestResponse.status(s.created() ? RestResponse.Status.CREATED : RestResponse.Status.OK, saved(s));
    }

    @GET
    @Path("/{name: .+}/diff")
    public Map<String, Object> diff(@RestPath String name, @RestQuery String from, @RestQuery String to) {
        int a = number("from", from);
        int b = number("to", to);
        TemplateDiff d = store.diff(name, a, b);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("from", a);
        out.put("to", b);
        out.put("from_hash", d.fromHash());
        out.put("to_hash", d.toHash());
        out.put("fields", d.fields());
        out.put("sections", d.sections().stream().map(s -> Map.of("section", s.section(), "hunks", s.hunks(),
                "unified", LineDiff.unified(s.hunks()))).toList());
        return out;
    }

    @PUT
    @Path("/{name: .+}/labels/{label}")
    @Consumes(MediaType.WILDCARD)
    public Map<String, Object> moveLabel(@RestPath String name, @RestPath String label, String body) {
        JsonRequest req = JsonRequest.parse(mapper, body);
        req.allowOnly(Set.of("version"), Set.of());
        Integer version = req.integer("version");
        if (version == null) {
            throw req.missing("version", "the version number the label should point at");
        }
        store.moveLabel(name, label, version);
        return Map.of("name", name, "label", label, "version", version, "labels", store.labels(name));
    }

    @POST
    @Path("/{name: .+}/archive")
    public Map<String, Object> archive(@RestPath String name) {
        store.archive(name);
        return Map.of("name", name, "archived", true);
    }

    @POST
    @Path("/{name: .+}/render")
    @Consumes(MediaType.WILDCARD)
    public Map<String, Object> render(@RestPath String name, String body) {
        return workbench.render(name, JsonRequest.parse(mapper, body == null || body.isBlank() ? "{}" : body));
    }

    /**
     * Renders and generates; with {@code "stream": true} (or {@code Accept: text/event-stream} and no
     * {@code stream} field) as server-sent events, one part per model call (see {@link RunEventStream}).
     * The declared type only selects raw streaming; each response sets its own Content-Type.
     */
    @POST
    @Path("/{name: .+}/run")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.TEXT_PLAIN)
    @Blocking
    public RestMulti<String> run(@RestPath String name, String body, RoutingContext routing) {
        JsonRequest req = JsonRequest.parse(mapper, body == null || body.isBlank() ? "{}" : body);
        PromptWorkbench.RunRequest run = workbench.runRequest(name, req, Boolean.TRUE.equals(routing.get(RunAcceptFilter.WANTS_EVENT_STREAM)));
        if (!run.stream()) {
            String whole = json(workbench.run(run.plan()));
            return RestMulti.fromMultiData(Multi.createFrom().item(whole)).header("Content-Type", MediaType.APPLICATION_JSON).build();
        }
        return RestMulti.fromMultiData(workbench.stream(run.plan()))
                .header("Content-Type", "text/event-stream")
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .build();
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    @GET
    @Path("/{name: .+}")
    public Map<String, Object> get(@RestPath String name, @RestQuery String label, @RestQuery String version) {
        if (label != null && version != null) {
            throw ApiException.invalid("version", "give label or version, not both");
        }
        PromptVersion v = version != null ? store.get(name, number("version", version)) : store.resolve(name, label);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.putAll(versionJson(v));
        out.put("labels", store.labels(name));
        out.put("archived", store.isArchived(name));
        out.put("content", new PromptFileWriter().write(v.template()));
        out.put("template", v.template());
        return out;
    }

    private static Map<String, Object> saved(Saved s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", s.name());
        out.putAll(versionJson(s.version()));
        out.put("created", s.created());
        return out;
    }

    private static Map<String, Object> versionJson(PromptVersion v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", v.number());
        out.put("hash", v.hash());
        out.put("message", v.message());
        out.put("created_at", v.createdAt().toString());
        out.put("parent", v.parent());
        return out;
    }

    private static boolean isFileText(String contentType) {
        return contentType != null && (contentType.startsWith("text/markdown") || contentType.startsWith("text/plain"));
    }

    /** The file text as a request with one field, so both forms go through the same checks. */
    private JsonRequest fileRequest(String body) {
        // Parsed once here for a clear file:line error, then handed over as content.
        new PromptFileParser().parseTemplate("request body", body == null ? "" : body);
        return JsonRequest.parse(mapper, mapper.createObjectNode().put("content", body).toString());
    }

    private static int number(String param, String value) {
        if (value == null) {
            throw ApiException.invalid(param, param + " is required: a version number");
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw ApiException.invalid(param, param + " must be a version number (1, 2, ...), got '" + value + "'");
        }
    }
}
