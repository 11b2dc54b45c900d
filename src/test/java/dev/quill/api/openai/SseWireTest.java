package dev.quill.api.openai;

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
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The exact bytes of streamed responses: OpenAI's SSE framing, chunk order, ids and usage. */
@QuarkusTest
@TestProfile(ServerTestProfile.class)
class SseWireTest {
    @TestHTTPResource("/")
    URI root;

    private TestHttp http;

    @BeforeEach
    void setUp() {
        SharedData.model("stories260K.gguf");
        http = new TestHttp(root, ServerTestProfile.API_KEY);
    }

    /** Splits an SSE body into its frames' payloads, checking each is exactly {@code data: X\n\n}. */
    static List<String> frames(String body) {
        assertTrue(body.endsWith("data: [DONE]\n\n"), "the stream must end with data: [DONE]: " + body);
        List<String> out = new ArrayList<>();
        for (String frame : body.split("\n\n", -1)) {
            if (frame.isEmpty()) {
                continue;
            }
            assertTrue(frame.startsWith("data: "), "every frame is 'data: ...' (no event:/id: lines): " + frame);
            assertFalse(frame.substring(6).contains("\n"), "one line per frame: " + frame);
            out.add(frame.substring(6));
        }
        return out;
    }

    @Test
    void chatStreamHasRoleChunkContentFinishUsageAndDone() {
        HttpResponse<String> r = http.post("/v1/chat/completions", body("""
                {'model':'stories260K','messages':[{'role':'user','content':'Once upon a time'}],
                 'max_tokens':8,'temperature':0,'stream':true,'stream_options':{'include_usage':true}}"""));
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream", r.headers().firstValue("Content-Type").orElseThrow());
        List<String> frames = frames(r.body());
        assertEquals("[DONE]", frames.get(frames.size() - 1));
        List<JsonNode> chunks = frames.subList(0, frames.size() - 1).stream().map(TestHttp::json).toList();

        JsonNode first = chunks.get(0);
        for (JsonNode c : chunks) {
            assertEquals(first.get("id"), c.get("id"));
            assertEquals(first.get("created"), c.get("created"));
            assertEquals("stories260K", c.get("model").asText());
            assertEquals("chat.completion.chunk", c.get("object").asText());
            assertTrue(c.has("usage"), "with include_usage every chunk has a usage field");
        }
        assertEquals("assistant", first.at("/choices/0/delta/role").asText());
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertEquals(0, finish.at("/choices/0/delta").size(), "the finish chunk has an empty delta");
        assertEquals("length", finish.at("/choices/0/finish_reason").asText());
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertEquals(0, usage.get("choices").size());
        assertEquals(8, usage.at("/usage/completion_tokens").asInt());
        for (JsonNode c : chunks.subList(1, chunks.size() - 2)) {
            assertTrue(c.at("/choices/0/delta/content").isTextual());
            assertTrue(c.at("/choices/0/finish_reason").isNull());
            assertTrue(c.get("usage").isNull());
        }
    }

    @Test
    void noUsageChunkUnlessAskedFor() {
        HttpResponse<String> r = http.post("/v1/chat/completions", body("""
                {'messages':[{'role':'user','content':'Hi'}],'max_tokens':3,'temperature':0,'stream':true}"""));
        List<String> frames = frames(r.body());
        for (String f : frames.subList(0, frames.size() - 1)) {
            JsonNode c = json(f);
            assertFalse(c.has("usage"), "usage must not be sent unless stream_options.include_usage: " + f);
            assertEquals(1, c.get("choices").size());
        }
        assertEquals("length", json(frames.get(frames.size() - 2)).at("/choices/0/finish_reason").asText());
    }

    @Test
    void completionStreamFramesAndMultiplePrompts() {
        HttpResponse<String> r = http.post("/v1/completions", body("""
                {'prompt':['Once upon a time','Lily saw'],'max_tokens':4,'temperature':0,'stream':true,
                 'stream_options':{'include_usage':true}}"""));
        assertEquals(200, r.statusCode());
        List<String> frames = frames(r.body());
        List<JsonNode> chunks = frames.subList(0, frames.size() - 1).stream().map(TestHttp::json).toList();
        StringBuilder[] texts = {new StringBuilder(), new StringBuilder()};
        int finished = 0;
        for (JsonNode c : chunks.subList(0, chunks.size() - 1)) {
            assertEquals("text_completion", c.get("object").asText());
            JsonNode choice = c.at("/choices/0");
            texts[choice.get("index").asInt()].append(choice.get("text").asText());
            if (!choice.get("finish_reason").isNull()) {
                finished++;
            }
        }
        assertEquals(2, finished);
        assertEquals(8, chunks.get(chunks.size() - 1).at("/usage/completion_tokens").asInt());

        JsonNode whole = json(http.post("/v1/completions", body("""
                {'prompt':['Once upon a time','Lily saw'],'max_tokens':4,'temperature':0}""")).body());
        assertEquals(whole.at("/choices/0/text").asText(), texts[0].toString());
        assertEquals(whole.at("/choices/1/text").asText(), texts[1].toString());
    }

    @Test
    void tokensArriveAsSeparateFramesInOrder() {
        HttpResponse<String> r = http.post("/v1/completions", body("""
                {'prompt':'Once upon a time','max_tokens':20,'temperature':0,'stream':true,'logprobs':1}"""));
        List<String> frames = frames(r.body());
        int contentFrames = 0;
        for (String f : frames.subList(0, frames.size() - 1)) {
            JsonNode c = json(f);
            if (!c.at("/choices/0/text").asText().isEmpty()) {
                contentFrames++;
                assertTrue(c.at("/choices/0/logprobs/tokens").size() >= 1, "logprobs travel with the text: " + f);
            }
        }
        assertTrue(contentFrames >= 10, "one frame per token (a few may merge), got " + contentFrames);
    }
}
