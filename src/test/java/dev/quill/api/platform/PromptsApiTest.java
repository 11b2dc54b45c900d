package dev.quill.api.platform;

import static dev.quill.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quill.server.ServerTestProfile;
import dev.quill.server.TestHttp;
import dev.quill.testutil.SharedData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The prompt library API through HTTP, on the shared server test profile (one boot) with the
 * embedded H2 store: the store scenarios of {@link PromptStoreApiScenarios}, then rendering and runs.
 */
@QuarkusTest
@TestProfile(ServerTestProfile.class)
class PromptsApiTest extends PromptStoreApiScenarios {

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
        assertStatus(400, http.post("/v1/chat/completions", "{\"quill\":{\"prompt\":\"" + name + "\",\"cot\":\"sideways\"}}"));
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
