package dev.quill.api.platform;

import static dev.quill.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quill.server.ServerTestProfile;
import dev.quill.server.TestHttp;
import dev.quill.testutil.SharedData;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Running templates on stories260K through HTTP: constrained choice decoding (restrain rule) on
 * /run, on chat completions and in two-stage chain-of-thought's answer stage; and /run streamed
 * as server-sent events, one part per call.
 */
@QuarkusTest
@TestProfile(ServerTestProfile.class)
class PromptRunApiTest {
    static final List<String> ALLOWED = List.of("Yes", "No", "Maybe not");
    static final Set<String> LETTERS = Set.of("A", "B", "C", "D", "E");
    /** Hot, wide sampling: without a constraint the tiny story model writes a story, not an answer. */
    static final String HOT = "defaults:\n  temperature: 1.5\n  top_k: 0\n  top_p: 1.0\n  min_p: 0.0\n  max_tokens: 8\n";
    static final int SEEDS = 16;

    @TestHTTPResource("/")
    URI root;

    private TestHttp http;
    private String prefix;

    @BeforeEach
    void setUp() {
        SharedData.model("stories260K.gguf");
        http = new TestHttp(root, ServerTestProfile.API_KEY);
        prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    private String createFile(String file) {
        HttpResponse<String> r = http.post("/api/prompts", TestHttp.JSON.createObjectNode().put("content", file).toString());
        assertEquals(201, r.statusCode(), r.body());
        return json(r.body()).get("name").asText();
    }

    private String yesNoTemplate() {
        return createFile("---\nname: " + prefix + "/happy\nvariables:\n  - name: q\n" + HOT
                + "constraints:\n  allowed_answers: [Yes, No, Maybe not]\n---\n\n## prompt\n\n{q} Answer:\n");
    }

    private JsonNode run(String name, String body) {
        HttpResponse<String> r = http.post("/api/prompts/" + name + "/run", body);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        return json(r.body());
    }

    @Test
    void restrainedRunsOnlyEverAnswerWithAnAllowedAnswerAndFreeRunsDoNot() {
        String name = yesNoTemplate();
        Set<String> constrained = new TreeSet<>();
        List<String> free = new ArrayList<>();
        for (int seed = 1; seed <= SEEDS; seed++) {
            String vars = ",\"seed\":" + seed + ",\"variables\":{\"q\":\"Was the cat happy?\"}}";
            JsonNode r = run(name, "{\"model\":\"stories260K\",\"rules\":[\"restrain\"]" + vars);
            assertEquals(ALLOWED, TestHttp.JSON.convertValue(r.get("allowed_answers"), List.class));
            String answer = r.get("output").asText().strip();
            assertTrue(ALLOWED.contains(answer), "seed " + seed + " gave '" + r.get("output").asText() + "'");
            constrained.add(answer);
            free.add(run(name, "{\"model\":\"stories260K\"" + vars).get("output").asText().strip());
        }
        assertTrue(constrained.size() >= 2, "sampling still chooses among the answers: " + constrained);
        assertFalse(free.stream().allMatch(ALLOWED::contains), "without the rule the model is free: " + free);
    }

    @Test
    void chatCompletionsWithTheRestrainRuleAnswerOnlyWithAnAllowedAnswer() {
        String name = yesNoTemplate();
        List<String> free = new ArrayList<>();
        for (int seed = 1; seed <= SEEDS; seed++) {
            String quill = "\"quill\":{\"prompt\":\"" + name + "\",\"variables\":{\"q\":\"Was the cat happy?\"}";
            HttpResponse<String> r = http.post("/v1/chat/completions", "{\"model\":\"stories260K\",\"seed\":" + seed + ","
                    + quill + ",\"rules\":[\"restrain\"]}}");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode choice = json(r.body()).get("choices").get(0);
            String content = choice.get("message").get("content").asText();
            assertTrue(ALLOWED.contains(content.strip()), "seed " + seed + " gave '" + content + "'");
            assertEquals("stop", choice.get("finish_reason").asText());
            // A max_tokens below the longest answer does not cut an answer short.
            HttpResponse<String> tight = http.post("/v1/chat/completions", "{\"model\":\"stories260K\",\"max_tokens\":1,\"seed\":"
                    + seed + "," + quill + ",\"rules\":[\"restrain\"]}}");
            String t = json(tight.body()).get("choices").get(0).get("message").get("content").asText();
            assertTrue(ALLOWED.contains(t.strip()), "max_tokens 1, seed " + seed + " gave '" + t + "'");
            free.add(json(http.post("/v1/chat/completions", "{\"model\":\"stories260K\",\"seed\":" + seed + "," + quill + "}}")
                    .body()).get("choices").get(0).get("message").get("content").asText().strip());
        }
        assertFalse(free.stream().allMatch(ALLOWED::contains), "without the rule the model is free: " + free);
    }

    private String choiceCotTemplate() {
        return createFile("---\nname: " + prefix + "/pick\nvariables:\n  - name: q\n" + HOT
                + "cot:\n  mode: two-stage\n  answer: choice\n---\n\n## prompt\n\n{q} (A) a cat (B) a dog (C) a bird\n");
    }

    @Test
    void twoStageAnswerExtractionIsConstrainedToTheFormatsChoices() {
        String name = choiceCotTemplate();
        List<String> free = new ArrayList<>();
        for (int seed = 1; seed <= SEEDS / 2; seed++) {
            String tail = ",\"cot\":\"two-stage\",\"seed\":" + seed + ",\"variables\":{\"q\":\"Who said meow?\"}}";
            JsonNode r = run(name, "{\"model\":\"stories260K\",\"rules\":[\"restrain\"]" + tail);
            JsonNode calls = r.get("calls");
            assertEquals(2, calls.size(), r.toString());
            assertTrue(calls.get(1).get("text").asText().endsWith("Therefore, among A through E, the answer is"));
            String raw = calls.get(1).get("output").asText();
            assertTrue(LETTERS.contains(raw.strip()), "seed " + seed + ": the answer stage wrote '" + raw + "'");
            assertEquals(raw.strip(), r.get("answer").asText(), "the cleaned answer is the letter");
            assertFalse(r.get("reasoning").asText().isEmpty());
            free.add(run(name, "{\"model\":\"stories260K\"" + tail).get("calls").get(1).get("output").asText().strip());
        }
        assertFalse(free.stream().allMatch(LETTERS::contains), "without the rule the answer stage is free: " + free);
    }

    /** One server-sent event: its name and JSON data. */
    record Event(String name, JsonNode data) {
    }

    static List<Event> events(String body) {
        List<Event> out = new ArrayList<>();
        for (String frame : body.split("\n\n")) {
            if (frame.isBlank()) {
                continue;
            }
            String[] lines = frame.split("\n");
            assertEquals(2, lines.length, "event and data lines: " + frame);
            assertTrue(lines[0].startsWith("event: "), frame);
            assertTrue(lines[1].startsWith("data: "), frame);
            String name = lines[0].substring("event: ".length());
            JsonNode data = json(lines[1].substring("data: ".length()));
            assertEquals(name, data.get("type").asText(), "the data names its type too");
            out.add(new Event(name, data));
        }
        return out;
    }

    private HttpResponse<String> stream(String name, String body, boolean byAccept) {
        HttpRequest.Builder b = http.builder("/api/prompts/" + name + "/run").POST(HttpRequest.BodyPublishers.ofString(body));
        if (byAccept) {
            b.setHeader("Accept", "text/event-stream");
        }
        return http.send(b.build());
    }

    /** Checks the framing every streamed run has and returns the parts' events, grouped. */
    private static List<List<Event>> parts(List<Event> events, JsonNode whole) {
        assertEquals("run.start", events.getFirst().name());
        assertEquals("run.end", events.getLast().name());
        List<List<Event>> parts = new ArrayList<>();
        for (Event e : events.subList(1, events.size() - 1)) {
            switch (e.name()) {
                case "part.start" -> {
                    assertEquals(parts.size(), e.data().get("index").asInt());
                    parts.add(new ArrayList<>(List.of(e)));
                }
                case "part.delta", "part.end" -> {
                    assertEquals(parts.size() - 1, e.data().get("index").asInt(), "a part's events come together: " + e);
                    parts.getLast().add(e);
                }
                default -> throw new AssertionError("unexpected event " + e);
            }
        }
        for (List<Event> p : parts) {
            assertEquals("part.end", p.getLast().name());
            StringBuilder text = new StringBuilder();
            p.subList(1, p.size() - 1).forEach(d -> text.append(d.data().get("text").asText()));
            JsonNode end = p.getLast().data();
            String expected = !end.has("from") ? end.get("output").asText() : end.get("answer").isNull() ? "" : end.get("answer").asText();
            assertEquals(expected, text.toString(),
                    "the deltas put together are the part's output");
        }
        JsonNode summary = events.getLast().data().deepCopy();
        ((ObjectNode) summary).remove("type");
        assertEquals(whole, summary, "run.end is the non-streaming response");
        return parts;
    }

    @Test
    void aDecomposedRunStreamsEachStepAsAPart() {
        String name = createFile("---\nname: " + prefix + "/steps\nvariables:\n  - name: topic\ndefaults:\n  max_tokens: 8\n---\n\n"
                + "## step: idea\n\nA story about {topic}:\n\n## step: title\n\nA title for {idea}:\n\n## prompt\n\n{title} Once upon a time\n");
        String body = "{\"model\":\"stories260K\",\"seed\":3,\"rules\":[\"decompose\"],\"variables\":{\"topic\":\"a cat\"}";
        JsonNode whole = run(name, body + "}");
        HttpResponse<String> r = stream(name, body + ",\"stream\":true}", false);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
        List<Event> events = events(r.body());
        assertEquals(name, events.getFirst().data().get("name").asText());
        List<List<Event>> parts = parts(events, whole);
        assertEquals(3, parts.size());
        JsonNode idea = parts.get(0).getFirst().data();
        assertEquals("step", idea.get("kind").asText());
        assertEquals("idea", idea.get("name").asText());
        assertEquals(1, idea.get("step").asInt());
        assertEquals("A story about a cat:", idea.get("prompt").get("text").asText());
        assertEquals(2, parts.get(1).getFirst().data().get("step").asInt());
        JsonNode last = parts.get(2).getFirst().data();
        assertEquals("output", last.get("kind").asText());
        // The final prompt holds the second step's output: each step ran before the next began.
        assertEquals(parts.get(1).getLast().data().get("output").asText().strip() + " Once upon a time",
                last.get("prompt").get("text").asText());
        JsonNode end = parts.get(2).getLast().data();
        assertTrue(end.get("usage").get("prompt_tokens").asInt() > 0);
        assertTrue(end.get("usage").get("completion_tokens").asInt() > 0);
        int total = whole.get("usage").get("completion_tokens").asInt();
        assertEquals(total, parts.stream().mapToInt(p -> p.getLast().data().get("usage").get("completion_tokens").asInt()).sum());
        assertEquals(3, whole.get("usage").get("calls").asInt());
    }

    @Test
    void twoStageStreamsReasoningThenTheAnswerAskedForByAccept() {
        String name = choiceCotTemplate();
        String body = "{\"model\":\"stories260K\",\"seed\":5,\"cot\":\"two-stage\",\"rules\":[\"restrain\"],"
                + "\"variables\":{\"q\":\"Who said meow?\"}}";
        JsonNode whole = run(name, body);
        HttpResponse<String> r = stream(name, body, true);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
        List<List<Event>> parts = parts(events(r.body()), whole);
        assertEquals(2, parts.size());
        JsonNode reasoning = parts.get(0).getLast().data();
        assertEquals("reasoning", reasoning.get("kind").asText());
        assertEquals(whole.get("reasoning").asText(), reasoning.get("output").asText().strip());
        assertTrue(parts.get(0).getFirst().data().get("prompt").get("text").asText().endsWith("A: Let's think step by step."));
        JsonNode answer = parts.get(1).getLast().data();
        assertEquals("answer", answer.get("kind").asText());
        assertTrue(LETTERS.contains(answer.get("answer").asText()), answer.toString());
        assertEquals(whole.get("answer"), answer.get("answer"));
    }

    @Test
    void zeroShotStreamsTheReasoningAndThenTheAnswerReadFromIt() {
        String name = createFile("---\nname: " + prefix + "/zero\nvariables:\n  - name: q\n---\n\n## prompt\n\n{q}\n");
        String body = "{\"model\":\"stories260K\",\"seed\":2,\"cot\":\"zero-shot\",\"variables\":{\"q\":\"Was Tom sad?\"}";
        JsonNode whole = run(name, body + "}");
        List<List<Event>> parts = parts(events(stream(name, body + ",\"stream\":true}", false).body()), whole);
        assertEquals(2, parts.size());
        assertEquals("reasoning", parts.get(0).getFirst().data().get("kind").asText());
        assertEquals("Q: Was Tom sad?\nA: Let's think step by step.", parts.get(0).getFirst().data().get("prompt").get("text").asText());
        JsonNode answer = parts.get(1).getLast().data();
        assertEquals("answer", answer.get("kind").asText());
        assertEquals("reasoning", answer.get("from").asText());
        assertEquals(whole.get("answer"), answer.get("answer"));
    }

    @Test
    void aStreamedRunThatCannotStartIsAnHttpError() {
        String name = yesNoTemplate();
        HttpResponse<String> missing = stream(name, "{\"model\":\"stories260K\",\"stream\":true,\"variables\":{}}", true);
        assertEquals(422, missing.statusCode(), missing.body());
        assertEquals("variables.q", json(missing.body()).get("error").get("param").asText());
        HttpResponse<String> badStream = stream(name, "{\"stream\":\"yes\",\"variables\":{\"q\":\"x\"}}", false);
        assertEquals(400, badStream.statusCode(), badStream.body());
        assertEquals("stream", json(badStream.body()).get("error").get("param").asText());
        assertEquals(400, http.post("/api/prompts/" + name + "/render", "{\"stream\":true}").statusCode(),
                "render does not stream");
        // Found on the engine's side, still before the first event: a status, not a broken stream.
        HttpResponse<String> tooLong = stream(name, "{\"model\":\"stories260K\",\"stream\":true,\"variables\":{\"q\":\""
                + "the cat sat. ".repeat(200) + "\"}}", true);
        assertEquals(422, tooLong.statusCode(), tooLong.body());
        assertEquals("render_limit", json(tooLong.body()).get("error").get("code").asText());
        assertTrue(json(tooLong.body()).get("error").get("message").asText().contains("tokens"), tooLong.body());
        // JSON asked for explicitly still gets JSON.
        HttpResponse<String> asJson = http.send(http.builder("/api/prompts/" + name + "/run").setHeader("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stories260K\",\"seed\":1,\"variables\":{\"q\":\"x\"}}")).build());
        assertEquals(200, asJson.statusCode(), asJson.body());
        assertNull(json(asJson.body()).get("reasoning"));
    }

    /** Closing a streamed run stops it: the running call ends at its next step and the later calls never start. */
    @Test
    void closingAStreamedRunStopsItsCalls() throws Exception {
        String name = createFile("---\nname: " + prefix + "/long\nvariables:\n  - name: topic\ndefaults:\n  max_tokens: 200\n---\n\n"
                + "## step: one\n\nOnce upon a time {topic}\n\n## step: two\n\nLily saw {one}\n\n## prompt\n\nTom had {two}\n");
        String body = "{\"model\":\"stories260K\",\"seed\":11,\"rules\":[\"decompose\"],\"variables\":{\"topic\":\"a cat\"}";
        int whole = run(name, body + "}").get("usage").get("completion_tokens").asInt();
        assertTrue(whole >= 150, "the full run is long enough to be stopped early: " + whole + " tokens");
        double before = generatedTokens();
        byte[] bytes = (body + ",\"stream\":true}").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/prompts/" + name + "/run HTTP/1.1\r\nHost: " + root.getHost() + "\r\nAuthorization: Bearer "
                    + ServerTestProfile.API_KEY + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buf = new byte[4096];
            while (!seen.toString().contains("event: part.delta")) {
                int n = in.read(buf);
                assertTrue(n > 0, "the stream ended early: " + seen);
                seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        }
        double last = generatedTokens();
        for (int i = 0; i < 50; i++) {
            Thread.sleep(50);
            double now = generatedTokens();
            if (now == last) {
                break;
            }
            last = now;
        }
        assertTrue(last - before < whole, "the run should stop at the disconnect, but " + (last - before) + " of "
                + whole + " tokens were generated");
        Thread.sleep(300);
        assertEquals(last, generatedTokens(), "no tokens after the client left");
        assertEquals(200, http.post("/api/prompts/" + name + "/run", body + "}").statusCode(), "the model is free again");
    }

    private double generatedTokens() {
        for (String line : http.get("/q/metrics").body().split("\n")) {
            if (line.startsWith("quill_generated_tokens_total{") && line.contains("model=\"stories260K\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
