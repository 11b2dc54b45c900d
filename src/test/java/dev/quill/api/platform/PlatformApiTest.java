package dev.quill.api.platform;

import static dev.quill.server.TestHttp.body;
import static dev.quill.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quill.server.ServerTestProfile;
import dev.quill.server.TestHttp;
import dev.quill.testutil.SharedData;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tokenize, detokenize, chat rendering, model loading, health and metrics. */
@QuarkusTest
@TestProfile(ServerTestProfile.class)
class PlatformApiTest {
    @TestHTTPResource("/")
    URI root;

    private TestHttp http;

    @BeforeEach
    void setUp() {
        SharedData.model("stories260K.gguf");
        http = new TestHttp(root, ServerTestProfile.API_KEY);
    }

    @Test
    void tokenizeGivesIdsTextsAndByteSpansThatDetokenizeBack() {
        JsonNode r = json(http.post("/api/tokenize", body("{'model':'stories260K','content':'Lily saw a big dog.'}")).body());
        assertEquals("stories260K", r.get("model").asText());
        JsonNode ids = r.get("ids");
        JsonNode tokens = r.get("tokens");
        assertEquals(ids.size(), tokens.size());
        assertEquals(1, ids.get(0).asInt(), "BOS first by default");
        StringBuilder text = new StringBuilder();
        int offset = 0;
        for (int i = 0; i < tokens.size(); i++) {
            JsonNode t = tokens.get(i);
            assertEquals(ids.get(i).asInt(), t.get("id").asInt());
            assertEquals(offset, t.get("start").asInt(), "spans are contiguous");
            int end = t.get("end").asInt();
            assertEquals(t.get("text").asText().getBytes(StandardCharsets.UTF_8).length, end - offset);
            offset = end;
            if (i > 0) {
                text.append(t.get("text").asText());
            }
        }
        assertEquals(" Lily saw a big dog.", text.toString(), "SentencePiece prefixes a space");
        JsonNode back = json(http.post("/api/detokenize", "{\"tokens\":" + ids + "}").body());
        assertTrue(back.get("content").asText().endsWith("Lily saw a big dog."), back.toString());

        JsonNode bare = json(http.post("/api/tokenize", body("{'content':'Lily','add_special':false}")).body());
        assertTrue(bare.get("ids").get(0).asInt() != 1);
    }

    @Test
    void detokenizeRefusesIdsOutsideTheVocabulary() {
        var r = http.post("/api/detokenize", body("{'tokens':[1, 5000]}"));
        assertEquals(400, r.statusCode());
        assertTrue(json(r.body()).at("/error/message").asText().contains("tokens[1]"));
    }

    @Test
    void chatRenderShowsTheExactPromptAndItsTokens() {
        JsonNode r = json(http.post("/api/chat/render", body("""
                {'messages':[{'role':'system','content':'Be brief.'},{'role':'user','content':'Hi'}]}""")).body());
        // stories260K has no template: the documented ChatML fallback applies.
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                r.get("prompt").asText());
        JsonNode tokens = r.get("tokens");
        assertTrue(tokens.size() > 10);
        JsonNode noPrompt = json(http.post("/api/chat/render", body("""
                {'messages':[{'role':'user','content':'Hi'}],'add_generation_prompt':false}""")).body());
        assertFalse(noPrompt.get("prompt").asText().contains("assistant"));
    }

    @Test
    void chatTemplateOverrideFromTheConfigurationIsUsedAndItsRaisedErrorsAre400() {
        JsonNode r = json(http.post("/api/chat/render", body("""
                {'model':'stories-custom','messages':[{'role':'user','content':'Hi'},{'role':'assistant','content':'Yo'}]}""")).body());
        assertEquals("[user] Hi\n[assistant] Yo\n[assistant] ", r.get("prompt").asText());
        var refused = http.post("/v1/chat/completions", body("""
                {'model':'stories-custom','messages':[{'role':'system','content':'x'},{'role':'user','content':'Hi'}]}"""));
        assertEquals(400, refused.statusCode(), refused.body());
        JsonNode e = json(refused.body()).get("error");
        assertEquals("messages", e.get("param").asText());
        assertTrue(e.get("message").asText().contains("System role not supported"), e.toString());
        var ok = http.post("/v1/chat/completions", body("""
                {'model':'stories-custom','messages':[{'role':'user','content':'Hi'}],'max_tokens':2}"""));
        assertEquals(200, ok.statusCode(), ok.body());
    }

    @Test
    void unloadFreesTheModelAndTheNextRequestLoadsItAgain() {
        JsonNode loaded = json(http.post("/api/models/tiny/load", "").body());
        assertEquals("stories260K", loaded.get("id").asText());
        assertEquals(ServerTestProfile.CONTEXT, loaded.get("context_length").asInt());
        assertTrue(json(http.get("/v1/models/stories260K").body()).get("loaded").asBoolean());
        assertEquals(200, http.post("/api/models/stories260K/unload", "").statusCode());
        assertFalse(json(http.get("/v1/models/stories260K").body()).get("loaded").asBoolean());
        var r = http.post("/v1/completions", body("{'prompt':'Once','max_tokens':2}"));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(json(http.get("/v1/models/stories260K").body()).get("loaded").asBoolean());
        assertEquals(404, http.post("/api/models/nope/unload", "").statusCode());
    }

    @Test
    void healthIsReadyWithTheDefaultModelAndMetricsCountRequestsAndTokens() throws Exception {
        http.post("/v1/completions", body("{'prompt':'Once','max_tokens':3}"));
        var ready = http.get("/q/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("UP", json(ready.body()).get("status").asText());
        String metrics = http.get("/q/metrics").body();
        for (String name : new String[] {"quill_requests_total{endpoint=\"/v1/completions\",status=\"200\"}",
                "quill_prompt_tokens_total{model=\"stories260K\"}", "quill_generated_tokens_total{model=\"stories260K\"}",
                "quill_time_to_first_token_seconds_count{model=\"stories260K\"}",
                "quill_generation_tokens_per_second_count{model=\"stories260K\"}", "quill_queue_depth{model=\"stories260K\"}"}) {
            assertTrue(metrics.contains(name), name + " missing from /q/metrics");
        }
    }
}
