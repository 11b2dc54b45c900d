package dev.quill.api.openai;

import static dev.quill.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quill.server.ServerTestProfile;
import dev.quill.server.TestHttp;
import dev.quill.testutil.SharedData;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Chain-of-thought on /v1/chat/completions through {@code "quill": {"cot": ...}} on stories260K:
 * every mode's exact prompts, the reasoning in {@code reasoning_content} and the cleaned answer in
 * {@code content}, streamed and not. The model is tiny, so the structure is tested, not the answers.
 */
@QuarkusTest
@TestProfile(ServerTestProfile.class)
class ChatChainOfThoughtTest {
    static final String QUESTION = "Was Tom happy with the red ball?";
    static final String STEP_BY_STEP = "Q: " + QUESTION + "\nA: Let's think step by step.";

    @TestHTTPResource("/")
    URI root;

    private TestHttp http;
    private String name;

    @BeforeEach
    void setUp() {
        SharedData.model("stories260K.gguf");
        http = new TestHttp(root, ServerTestProfile.API_KEY);
        name = "t" + UUID.randomUUID().toString().substring(0, 8) + "/reason";
        String file = "---\nname: " + name + "\nvariables:\n  - name: question\ndefaults:\n  temperature: 0.8\n"
                + "cot:\n  mode: two-stage\n  answer: yes-no\nexamples:\n  - input: Is ice cold?\n    output: 'Yes'\n"
                + "    rationale: Ice is frozen water. Frozen things are cold.\n---\n\n## prompt\n\n{question}\n";
        HttpResponse<String> r = http.post("/api/prompts", TestHttp.JSON.createObjectNode().put("content", file).toString());
        assertEquals(201, r.statusCode(), r.body());
    }

    private String request(String cot, String more) {
        return "{\"model\":\"stories260K\",\"seed\":7,\"max_tokens\":24" + more + ",\"quill\":{\"prompt\":\"" + name
                + "\",\"cot\":\"" + cot + "\",\"variables\":{\"question\":\"" + QUESTION + "\"}}}";
    }

    private JsonNode chat(String cot) {
        HttpResponse<String> r = http.post("/v1/chat/completions", request(cot, ""));
        assertEquals(200, r.statusCode(), r.body());
        return json(r.body());
    }

    /** The tokens of a user message through the model's chat template, as /api/chat/render counts them. */
    private int userMessageTokens(String text) {
        var body = TestHttp.JSON.createObjectNode().put("model", "stories260K");
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return json(http.post("/api/chat/render", body.toString()).body()).get("tokens").size();
    }

    @Test
    void offIsOnePlainCompletion() {
        JsonNode r = chat("off");
        JsonNode message = r.get("choices").get(0).get("message");
        assertFalse(message.get("content").asText().isEmpty());
        assertFalse(message.has("reasoning_content"), "no reasoning without a chain of thought: " + message);
        assertNull(r.get("quill"));
        assertEquals(userMessageTokens(QUESTION), r.get("usage").get("prompt_tokens").asInt(), "the question alone was sent");
    }

    @Test
    void zeroShotSendsTheTriggerAndReadsTheAnswerFromTheReasoning() {
        JsonNode r = chat("zero-shot");
        JsonNode calls = r.get("quill").get("calls");
        assertEquals(1, calls.size());
        assertEquals(STEP_BY_STEP, calls.get(0).get("text").asText());
        JsonNode message = r.get("choices").get(0).get("message");
        String reasoning = message.get("reasoning_content").asText();
        assertFalse(reasoning.isEmpty());
        assertEquals(calls.get(0).get("output").asText().strip(), reasoning);
        assertAnswerCleaned(r, Set.of("Yes", "No"));
        assertEquals(userMessageTokens(STEP_BY_STEP), r.get("usage").get("prompt_tokens").asInt(),
                "the stage's text went as one user message through the chat template");
    }

    @Test
    void twoStageExtractsTheAnswerWithTheFormatsTrigger() {
        JsonNode r = chat("two-stage");
        JsonNode calls = r.get("quill").get("calls");
        assertEquals(2, calls.size());
        assertEquals("reasoning", calls.get(0).get("name").asText());
        assertEquals(STEP_BY_STEP, calls.get(0).get("text").asText());
        String reasoning = calls.get(0).get("output").asText();
        String sep = reasoning.isEmpty() || Character.isWhitespace(reasoning.charAt(0)) ? "" : " ";
        assertEquals(STEP_BY_STEP + sep + reasoning.stripTrailing() + "\nTherefore, the answer (Yes or No) is",
                calls.get(1).get("text").asText());
        JsonNode message = r.get("choices").get(0).get("message");
        assertEquals(reasoning.strip(), message.get("reasoning_content").asText());
        assertFalse(message.get("reasoning_content").asText().isEmpty());
        assertEquals(calls.get(1).get("output").asText(), r.get("quill").get("raw_answer").asText());
        assertAnswerCleaned(r, Set.of("Yes", "No"));
        assertEquals(userMessageTokens(calls.get(0).get("text").asText()) + userMessageTokens(calls.get(1).get("text").asText()),
                r.get("usage").get("prompt_tokens").asInt(), "usage adds up both calls");
    }

    @Test
    void twoStageWithTheRestrainRuleAlwaysAnswersYesOrNo() {
        for (int seed = 1; seed <= 6; seed++) {
            HttpResponse<String> r = http.post("/v1/chat/completions", request("two-stage", "").replace("\"seed\":7", "\"seed\":" + seed)
                    .replace("\"cot\":", "\"rules\":[\"restrain\"],\"cot\":"));
            assertEquals(200, r.statusCode(), r.body());
            JsonNode body = json(r.body());
            String raw = body.get("quill").get("raw_answer").asText();
            assertTrue(Set.of("Yes", "No").contains(raw.strip()), "seed " + seed + ": the answer stage wrote '" + raw + "'");
            assertEquals(raw.strip(), body.get("choices").get(0).get("message").get("content").asText(), "cleaned: no space");
        }
    }

    @Test
    void fewShotShowsWorkedExamplesAndSplitsReasoningFromAnswer() {
        JsonNode r = chat("few-shot");
        JsonNode calls = r.get("quill").get("calls");
        assertEquals(1, calls.size());
        assertEquals("Q: Is ice cold?\nA: Ice is frozen water. Frozen things are cold. The answer is Yes.\n\nQ: " + QUESTION + "\nA:",
                calls.get(0).get("text").asText());
        String output = calls.get(0).get("output").asText();
        String reasoning = r.get("choices").get(0).get("message").get("reasoning_content").asText();
        assertFalse(reasoning.isEmpty());
        assertTrue(output.strip().startsWith(reasoning), "the reasoning is the output up to 'The answer is': " + output);
        assertFalse(reasoning.toLowerCase().contains("the answer is"), reasoning);
        assertAnswerCleaned(r, Set.of("Yes", "No"));
    }

    /** content is the cleaned answer when the format's answer was found (then one of these), else the raw answer text. */
    private static void assertAnswerCleaned(JsonNode r, Set<String> allowed) {
        JsonNode quill = r.get("quill");
        String content = r.get("choices").get(0).get("message").get("content").asText();
        if (quill.get("answer").isNull()) {
            assertEquals(quill.get("raw_answer").asText().strip(), content);
        } else {
            assertTrue(allowed.contains(content), content);
            assertEquals(quill.get("answer").asText(), content);
        }
    }

    @Test
    void streamingSendsReasoningDeltasBeforeTheAnswer() {
        for (String cot : List.of("two-stage", "few-shot", "zero-shot")) {
            JsonNode whole = chat(cot);
            HttpResponse<String> r = http.post("/v1/chat/completions", request(cot, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElse(""));
            assertTrue(r.body().endsWith("data: [DONE]\n\n"), r.body());
            List<JsonNode> chunks = new ArrayList<>();
            for (String frame : r.body().split("\n\n")) {
                assertTrue(frame.startsWith("data: "), frame);
                if (!frame.equals("data: [DONE]")) {
                    chunks.add(json(frame.substring(6)));
                }
            }
            assertEquals("assistant", chunks.getFirst().get("choices").get(0).get("delta").get("role").asText());
            StringBuilder reasoning = new StringBuilder();
            StringBuilder content = new StringBuilder();
            int reasoningChunks = 0;
            for (JsonNode c : chunks.subList(1, chunks.size())) {
                if (c.get("choices").isEmpty()) {
                    continue;
                }
                JsonNode delta = c.get("choices").get(0).get("delta");
                if (delta.has("reasoning_content")) {
                    assertEquals(0, content.length(), cot + ": reasoning comes before the answer");
                    reasoning.append(delta.get("reasoning_content").asText());
                    reasoningChunks++;
                }
                if (delta.has("content")) {
                    content.append(delta.get("content").asText());
                }
            }
            JsonNode message = whole.get("choices").get(0).get("message");
            assertEquals(message.get("reasoning_content").asText(), reasoning.toString(), cot);
            assertEquals(message.get("content").asText(), content.toString(), cot);
            assertTrue(reasoningChunks > 1, cot + ": the reasoning streams as it is generated");
            JsonNode finish = chunks.get(chunks.size() - 2);
            assertEquals(whole.get("choices").get(0).get("finish_reason"), finish.get("choices").get(0).get("finish_reason"));
            assertEquals(whole.get("quill"), finish.get("quill"), cot + ": the finish chunk reports the calls");
            assertEquals(whole.get("usage"), chunks.getLast().get("usage"), cot);
        }
    }

    @Test
    void badChainOfThoughtRequestsAre400s() {
        HttpResponse<String> logprobs = http.post("/v1/chat/completions", request("two-stage", ",\"logprobs\":true"));
        assertEquals(400, logprobs.statusCode(), logprobs.body());
        assertEquals("logprobs", json(logprobs.body()).get("error").get("param").asText());
        HttpResponse<String> mode = http.post("/v1/chat/completions", request("sideways", ""));
        assertEquals(400, mode.statusCode(), mode.body());
        assertTrue(json(mode.body()).get("error").get("message").asText().contains("two-stage"));
        HttpResponse<String> chatTemplate = http.post("/v1/chat/completions", "{\"quill\":{\"prompt\":\"chat/tutor-session\","
                + "\"cot\":\"two-stage\",\"variables\":{\"subject\":\"maths\",\"question\":\"Why?\"}}}");
        assertEquals(400, chatTemplate.statusCode(), chatTemplate.body());
        assertEquals("cot", json(chatTemplate.body()).get("error").get("param").asText());
    }
}
