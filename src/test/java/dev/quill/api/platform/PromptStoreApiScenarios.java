package dev.quill.api.platform;

import static dev.quill.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quill.prompts.store.LibraryImporter;
import dev.quill.server.PromptLibraryImport;
import dev.quill.server.ServerTestProfile;
import dev.quill.server.TestHttp;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The prompt store's scenarios through the HTTP API, run by a subclass per database the server can
 * use: {@link PromptsApiTest} (embedded H2) and {@link PromptsApiPostgresTest} (PostgreSQL). Each
 * test works under a fresh random name prefix, so runs can share a database.
 */
abstract class PromptStoreApiScenarios {
    @TestHTTPResource("/")
    URI root;

    @Inject
    PromptLibraryImport importer;

    protected TestHttp http;
    protected String prefix;

    @BeforeEach
    void setUp() {
        http = new TestHttp(root, ServerTestProfile.API_KEY);
        prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected ObjectNode obj() {
        return TestHttp.JSON.createObjectNode();
    }

    protected HttpResponse<String> put(String path, String body) {
        return http.send(http.builder(path).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    protected HttpResponse<String> create(String name, String body) {
        ObjectNode req = obj().put("name", name).put("body", body).put("description", "Greets someone");
        req.putArray("variables").addObject().put("name", "who");
        return http.post("/api/prompts", req.toString());
    }

    protected HttpResponse<String> edit(String name, int base, String body) {
        ObjectNode req = obj().put("base_version", base).put("body", body).put("message", "edit");
        req.putArray("variables").addObject().put("name", "who");
        return http.post("/api/prompts/" + name + "/versions", req.toString());
    }

    protected static void assertStatus(int expected, HttpResponse<String> r) {
        assertEquals(expected, r.statusCode(), r.body());
    }

    @Test
    void createEditLabelAndRollBack() {
        String name = prefix + "/greet";
        HttpResponse<String> c = create(name, "Hello {who}.");
        assertStatus(201, c);
        assertEquals(1, json(c.body()).get("version").asInt());
        assertStatus(201, edit(name, 1, "Hi {who}!"));
        HttpResponse<String> same = edit(name, 2, "Hi {who}!");
        assertStatus(200, same);
        assertFalse(json(same.body()).get("created").asBoolean(), "unchanged content makes no version");

        assertStatus(200, put("/api/prompts/" + name + "/labels/production", "{\"version\":2}"));
        assertEquals(2, json(http.get("/api/prompts/" + name + "?label=production").body()).get("version").asInt());
        // Rollback: production back to 1; latest is still 2.
        JsonNode moved = json(put("/api/prompts/" + name + "/labels/production", "{\"version\":1}").body());
        assertEquals(1, moved.get("labels").get("production").asInt());
        JsonNode prod = json(http.get("/api/prompts/" + name + "?label=production").body());
        assertEquals(1, prod.get("version").asInt());
        assertEquals("Hello {who}.", prod.get("template").get("body").asText());
        JsonNode latest = json(http.get("/api/prompts/" + name).body());
        assertEquals(2, latest.get("version").asInt());
        assertTrue(latest.get("content").asText().contains("Hi {who}!"), "content is the file format");
        assertEquals(1, json(http.get("/api/prompts/" + name + "?version=1").body()).get("version").asInt());
        JsonNode versions = json(http.get("/api/prompts/" + name + "/versions").body());
        assertEquals(2, versions.get("data").size());
        assertEquals(1, versions.get("data").get(1).get("parent").asInt());

        assertStatus(404, http.get("/api/prompts/" + name + "?version=9"));
        assertStatus(404, http.get("/api/prompts/" + name + "?label=staging"));
        assertStatus(400, http.get("/api/prompts/" + name + "?version=two"));
        assertStatus(404, http.get("/api/prompts/" + prefix + "/nothing"));
        assertStatus(400, put("/api/prompts/" + name + "/labels/latest", "{\"version\":1}"));
        assertStatus(404, put("/api/prompts/" + name + "/labels/production", "{\"version\":5}"));
        assertStatus(409, create(name, "again"));

        assertStatus(200, http.post("/api/prompts/" + name + "/archive", ""));
        JsonNode list = json(http.get("/api/prompts?q=" + prefix).body());
        assertEquals(0, list.get("data").size(), "archived prompts leave the list");
        JsonNode all = json(http.get("/api/prompts?archived=true&q=" + prefix).body()).get("data");
        assertEquals(1, all.size());
        assertEquals(2, all.get(0).get("latest_version").asInt());
        assertTrue(all.get(0).get("archived").asBoolean());
    }

    @Test
    void createFromTheFileFormat() {
        String name = prefix + "/file";
        String file = "---\nname: " + name + "\ndescription: From a file\nvariables:\n  - name: x\n---\n\n## prompt\n\nSay {x}.\n";
        HttpResponse<String> r = http.send(http.builder("/api/prompts").setHeader("Content-Type", "text/markdown")
                .POST(HttpRequest.BodyPublishers.ofString(file)).build());
        assertStatus(201, r);
        assertEquals("Say {x}.", json(http.get("/api/prompts/" + name).body()).get("template").get("body").asText());
        HttpResponse<String> bad = http.send(http.builder("/api/prompts").setHeader("Content-Type", "text/markdown")
                .POST(HttpRequest.BodyPublishers.ofString("---\nname: x\n## User\n")).build());
        assertStatus(400, bad);
    }

    @Test
    void staleBaseIsA409WithTheCurrentVersion() {
        String name = prefix + "/stale";
        assertStatus(201, create(name, "A {who}"));
        assertStatus(201, edit(name, 1, "B {who}"));
        HttpResponse<String> r = edit(name, 1, "C {who}");
        assertStatus(409, r);
        JsonNode error = json(r.body()).get("error");
        assertEquals("version_conflict", error.get("code").asText());
        assertEquals(2, error.get("current_version").asInt());
        assertStatus(400, http.post("/api/prompts/" + name + "/versions", "{\"body\":\"x\"}"));
    }

    @Test
    void diffShowsChangedLines() {
        String name = prefix + "/diff";
        assertStatus(201, create(name, "line one {who}\nline two"));
        assertStatus(201, edit(name, 1, "line one {who}\nline 2"));
        JsonNode d = json(http.get("/api/prompts/" + name + "/diff?from=1&to=2").body());
        String unified = d.get("sections").get(0).get("unified").asText();
        assertTrue(unified.contains("-line two\n+line 2"), unified);
        assertStatus(400, http.get("/api/prompts/" + name + "/diff?from=1"));
        assertStatus(404, http.get("/api/prompts/" + name + "/diff?from=1&to=3"));
    }

    @Test
    void importIsIdempotentAndAChangedFileMakesOneVersion() throws Exception {
        // The shipped library was imported at start.
        assertTrue(json(http.get("/api/prompts?q=answer-check").body()).get("data").size() >= 2);
        Path dir = Files.createTempDirectory("quill-import");
        String name = prefix + "/imported";
        Path file = dir.resolve(prefix).resolve("imported.md");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "---\nname: " + name + "\n---\n\n## prompt\n\nFirst text.\n");
        LibraryImporter.Report first = importer.importDir(dir);
        assertEquals(1, first.created());
        LibraryImporter.Report again = importer.importDir(dir);
        assertEquals(0, again.created() + again.updated());
        assertEquals(1, json(http.get("/api/prompts/" + name + "/versions").body()).get("data").size());

        Files.writeString(file, "---\nname: " + name + "\n---\n\n## prompt\n\nSecond text.\n");
        assertEquals(1, importer.importDir(dir).updated());
        importer.importDir(dir);
        JsonNode versions = json(http.get("/api/prompts/" + name + "/versions").body()).get("data");
        assertEquals(2, versions.size());
        assertEquals("imported from " + dir.getFileName() + "/" + name + ".md", versions.get(1).get("message").asText());
    }

    /** N clients × M edits, each from the latest it read, retrying on 409: every accepted edit is in the history once. */
    @Test
    void parallelWritersLoseNoUpdate() throws Exception {
        String name = prefix + "/parallel";
        assertStatus(201, create(name, "start {who}"));
        int writers = 4;
        int edits = 5;
        List<String> accepted = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < edits; i++) {
                        String body = "writer " + writer + " edit " + i + " {who}";
                        while (true) {
                            int base = json(http.get("/api/prompts/" + name).body()).get("version").asInt();
                            HttpResponse<String> r = edit(name, base, body);
                            if (r.statusCode() == 201) {
                                accepted.add(body);
                                break;
                            }
                            assertEquals(409, r.statusCode(), r.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        JsonNode versions = json(http.get("/api/prompts/" + name + "/versions").body()).get("data");
        assertEquals(1 + writers * edits, versions.size());
        HashSet<String> bodies = new HashSet<>();
        for (int v = 2; v <= versions.size(); v++) {
            bodies.add(json(http.get("/api/prompts/" + name + "?version=" + v).body()).get("template").get("body").asText());
        }
        assertEquals(new HashSet<>(accepted), bodies);
    }
}
