package dev.quill.api.platform;

import static dev.quill.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quill.prompts.store.LibraryImporter;
import dev.quill.server.PromptLibraryImport;
import dev.quill.server.ServerTestProfile;
import dev.quill.server.TestHttp;
import dev.quill.testutil.SharedData;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The prompt library API through HTTP, on the shared server test profile (one boot). */
@QuarkusTest
@TestProfile(ServerTestProfile.class)
class PromptsApiTest {
    @TestHTTPResource("/")
    URI root;

    @Inject
    PromptLibraryImport importer;

    private TestHttp http;
    private String prefix;

    @BeforeEach
    void setUp() {
        http = new TestHttp(root, ServerTestProfile.API_KEY);
        prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    private ObjectNode obj() {
        return TestHttp.JSON.createObjectNode();
    }

    private HttpResponse<String> put(String path, String body) {
        return http.send(http.builder(path).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private HttpResponse<String> create(String name, String body) {
        ObjectNode req = obj().put("name", name).put("body", body).put("description", "Greets someone");
        req.putArray("variables").addObject().put("name", "who");
        return http.post("/api/prompts", req.toString());
    }

    private HttpResponse<String> edit(String name, int base, String body) {
        ObjectNode req = obj().put("base_version", base).put("body", body).put("message", "edit");
        req.putArray("variables").addObject().put("name", "who");
        return http.post("/api/prompts/" + name + "/versions", req.toString());
    }

    private static void assertStatus(int expected, HttpResponse<String> r) {
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

    /** The variables' examples of a shipped template, as a render request's variables. */
    private ObjectNode examples(String name) {
        JsonNode t = json(http.get("/api/prompts/" + name).body()).get("template");
        ObjectNode vars = obj();
        for (JsonNode v : t.get("variables")) {
            if (v.hasNonNull("example")) {
                vars.set(v.get("name").asText(), v.get("example"));
            }
        }
        return vars;
    }

    @Test
    void eachReframingRuleChangesItsTemplateThroughHttp() {
        Map<String, String> pairs = Map.of(
                "qa/question-generation-before", "itemize",
                "qa/answer-check-after", "restrain",
                "classification/support-ticket-before", "specialize",
                "extraction/invoice-fields-after", "pattern",
                "summarisation/news-article-after", "decompose");
        pairs.forEach((name, rule) -> {
            ObjectNode req = obj().put("model", ServerTestProfile.MODEL);
            req.set("variables", examples(name));
            req.putArray("rules").add(rule);
            HttpResponse<String> r = http.post("/api/prompts/" + name + "/render", req.toString());
            assertEquals(200, r.statusCode(), name + ": " + r.body());
            JsonNode body = json(r.body());
            boolean changed = false;
            for (JsonNode c : body.get("changes")) {
                changed |= c.get("rule").asText().equals(rule);
            }
            assertTrue(changed, name + " " + rule + ": " + body.get("changes"));
            assertTrue(body.get("tokens").asInt() > 0, "token count with the model's tokenizer");
            assertTrue(body.has("lint"));
        });
        JsonNode decomposed = json(http.post("/api/prompts/summarisation/news-article-after/render",
                obj().<ObjectNode>set("variables", examples("summarisation/news-article-after")).put("rules", "all").toString()).body());
        assertTrue(decomposed.get("steps").size() >= 2, decomposed.toString());
        assertStatus(400, http.post("/api/prompts/qa/answer-check-after/render", "{\"rules\":[\"shout\"]}"));
    }

    @Test
    void personaAndChainOfThoughtInRender() {
        ObjectNode req = obj().put("cot", "two-stage");
        req.set("variables", examples("math/word-problem-before"));
        JsonNode r = json(http.post("/api/prompts/math/word-problem-before/render", req.toString()).body());
        assertTrue(r.get("cot").get("reasoning_prompt").asText().endsWith("Let's think step by step."), r.toString());
        assertEquals("Therefore, the answer (arabic numerals) is", r.get("cot").get("answer_trigger").asText().strip());

        ObjectNode chat = obj().put("persona", "socratic-tutor");
        chat.set("variables", examples("chat/tutor-session"));
        HttpResponse<String> withPersona = http.post("/api/prompts/chat/tutor-session/render", chat.toString());
        assertStatus(200, withPersona);
        assertEquals("system", json(withPersona.body()).get("messages").get(0).get("role").asText());
        assertStatus(404, http.post("/api/prompts/chat/tutor-session/render", "{\"persona\":\"nobody\"}"));
        assertStatus(400, http.post("/api/prompts/chat/tutor-session/render", "{\"cot\":\"two-stage\"}"));
    }

    @Test
    void missingVariableIs422NamingIt() {
        String name = prefix + "/needs";
        assertStatus(201, create(name, "Hello {who}."));
        HttpResponse<String> r = http.post("/api/prompts/" + name + "/render", "{\"variables\":{}}");
        assertStatus(422, r);
        JsonNode error = json(r.body()).get("error");
        assertEquals("variables.who", error.get("param").asText());
        assertTrue(error.get("message").asText().contains("who"));
    }

    @Test
    void sandboxEscapesAreRefusedWithA4xx() {
        for (String body : List.of("{who.getClass}", "{who.getClass.forName('java.lang.Runtime')}", "{config:['quarkus.datasource.password']}",
                "{inject:promptStore}", "{#include /etc/passwd}{/include}")) {
            String name = prefix + "/escape" + Math.abs(body.hashCode());
            HttpResponse<String> c = create(name, body);
            HttpResponse<String> r = c.statusCode() == 201
                    ? http.post("/api/prompts/" + name + "/render", "{\"variables\":{\"who\":\"x\"}}") : c;
            assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, body + " -> " + r.statusCode() + " " + r.body());
            String message = json(r.body()).get("error").get("message").asText();
            assertFalse(message.isBlank());
            assertFalse(message.contains("Exception"), message);
        }
    }

    @Test
    void badInputNever500s() {
        assertStatus(400, http.post("/api/prompts", "not json"));
        assertStatus(400, http.post("/api/prompts", "{\"name\":\"Bad Name\",\"body\":\"x\"}"));
        assertStatus(400, http.post("/api/prompts", "{\"body\":\"x\"}"));
        assertStatus(400, http.post("/api/prompts", "{\"name\":\"a/b\",\"body\":\"x\",\"colour\":1}"));
        assertStatus(400, http.post("/api/prompts/qa/answer-check-after/render", "{\"variables\":[1]}"));
        assertStatus(404, http.post("/api/prompts/nope/nothing/render", "{}"));
    }

    @Test
    void runsATextTemplateAndTwoStageChainOfThoughtOnStories() {
        SharedData.model("stories260K.gguf");
        String name = prefix + "/story";
        ObjectNode req = obj().put("name", name).put("body", "Once upon a time, {who}");
        req.putArray("variables").addObject().put("name", "who");
        assertStatus(201, http.post("/api/prompts", req.toString()));
        HttpResponse<String> r = http.post("/api/prompts/" + name + "/run",
                "{\"model\":\"stories260K\",\"seed\":1,\"variables\":{\"who\":\"Lily\"}}");
        assertStatus(200, r);
        JsonNode run = json(r.body());
        assertEquals(1, run.get("calls").size());
        assertFalse(run.get("output").asText().isEmpty());
        assertEquals("Once upon a time, Lily", run.get("calls").get(0).get("text").asText());

        ObjectNode cot = obj().put("model", "stories260K").put("cot", "two-stage").put("seed", 1);
        cot.set("variables", examples("math/word-problem-before"));
        HttpResponse<String> twoStage = http.post("/api/prompts/math/word-problem-before/run", cot.toString());
        assertStatus(200, twoStage);
        JsonNode two = json(twoStage.body());
        assertEquals(2, two.get("calls").size(), two.toString());
        assertEquals("reasoning", two.get("calls").get(0).get("name").asText());
        assertEquals("answer", two.get("calls").get(1).get("name").asText());
        String stage2 = two.get("calls").get(1).get("text").asText();
        assertTrue(stage2.startsWith(two.get("calls").get(0).get("text").asText()), "stage 2 repeats stage 1");
        assertTrue(stage2.contains(two.get("calls").get(0).get("output").asText().strip()), "and its reasoning");
        assertNotNull(two.get("answer"));
    }


    /** The "quill" extension of chat completions: a stored template (by label) makes the messages. */
    @Test
    void chatCompletionsWithAStoredTemplate() {
        SharedData.model("stories260K.gguf");
        String name = prefix + "/chat";
        assertStatus(201, create(name, "Once upon a time, {who}"));
        assertStatus(201, edit(name, 1, "Long ago, {who}"));
        assertStatus(200, put("/api/prompts/" + name + "/labels/production", "{\"version\":1}"));
        HttpResponse<String> r = http.post("/v1/chat/completions", "{\"model\":\"stories260K\",\"max_tokens\":4,"
                + "\"quill\":{\"prompt\":\"" + name + "@production\",\"variables\":{\"who\":\"Lily\"}}}");
        assertStatus(200, r);
        JsonNode render = json(http.post("/api/chat/render", "{\"model\":\"stories260K\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"Once upon a time, Lily\"}]}").body());
        assertEquals(render.get("tokens").size(), json(r.body()).get("usage").get("prompt_tokens").asInt(),
                "the labelled version's text was the prompt");

        assertStatus(422, http.post("/v1/chat/completions", "{\"quill\":{\"prompt\":\"" + name + "\"}}"));
        assertStatus(400, http.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"quill\":{\"prompt\":\"" + name + "\"}}"));
        assertStatus(400, http.post("/v1/chat/completions", "{\"quill\":{\"prompt\":\"" + name + "\",\"cot\":\"two-stage\"}}"));
        assertStatus(404, http.post("/v1/chat/completions", "{\"quill\":{\"prompt\":\"" + prefix + "/none\"}}"));
        assertStatus(400, http.post("/v1/chat/completions", "{\"quill\":\"qa/answer-check\"}"));
    }

    /** Decomposition on the engine: the step runs first and its output is in the final prompt. */
    @Test
    void runsADecomposedTemplateStepByStep() {
        SharedData.model("stories260K.gguf");
        String name = prefix + "/decomposed";
        String file = "---\nname: " + name + "\nvariables:\n  - name: topic\ndefaults:\n  max_tokens: 8\n---\n\n"
                + "## step: idea\n\nA story about {topic}:\n\n## prompt\n\n{idea} Once upon a time\n";
        assertStatus(201, http.post("/api/prompts", obj().put("content", file).toString()));
        HttpResponse<String> r = http.post("/api/prompts/" + name + "/run",
                "{\"model\":\"stories260K\",\"seed\":3,\"rules\":[\"decompose\"],\"variables\":{\"topic\":\"a cat\"}}");
        assertStatus(200, r);
        JsonNode calls = json(r.body()).get("calls");
        assertEquals(2, calls.size(), r.body());
        assertEquals("idea", calls.get(0).get("name").asText());
        assertEquals("A story about a cat:", calls.get(0).get("text").asText());
        assertEquals("final", calls.get(1).get("name").asText());
        assertEquals(calls.get(0).get("output").asText().strip() + " Once upon a time", calls.get(1).get("text").asText());
        assertEquals(calls.get(1).get("output").asText(), json(r.body()).get("output").asText());
    }
}
