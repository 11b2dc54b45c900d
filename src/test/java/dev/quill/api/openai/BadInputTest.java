package dev.quill.api.openai;

import static dev.quill.server.TestHttp.body;
import static dev.quill.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quill.engine.CancellationToken;
import dev.quill.engine.GenerationRequest;
import dev.quill.engine.GenerationResult;
import dev.quill.engine.InferenceJob;
import dev.quill.engine.JobListener;
import dev.quill.engine.ServedModel;
import dev.quill.sampling.Sampler;
import dev.quill.sampling.SamplingParams;
import dev.quill.server.ModelService;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every kind of bad input gets its status, OpenAI's error shape and a message naming the problem;
 * after each, a good request still succeeds.
 */
@QuarkusTest
@TestProfile(ServerTestProfile.class)
class BadInputTest {
    private static final String GOOD = body("{'messages':[{'role':'user','content':'Hi'}],'max_tokens':2}");

    @TestHTTPResource("/")
    URI root;

    @Inject
    ModelService models;

    private TestHttp http;

    @BeforeEach
    void setUp() {
        SharedData.model("stories260K.gguf");
        http = new TestHttp(root, ServerTestProfile.API_KEY);
    }

    @AfterEach
    void serverStillServes() {
        HttpResponse<String> r = http.post("/v1/chat/completions", GOOD);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, json(r.body()).at("/usage/completion_tokens").asInt());
    }

    /** Checks the status and the error shape; returns the error object. */
    static JsonNode error(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode body = json(r.body());
        assertEquals(1, body.size(), "only an error field: " + r.body());
        JsonNode e = body.get("error");
        for (String field : List.of("message", "type", "param", "code")) {
            assertTrue(e.has(field), "error." + field + " present: " + r.body());
        }
        assertTrue(e.get("message").isTextual() && !e.get("message").asText().isBlank());
        assertTrue(!r.body().contains("Exception") && !r.body().contains("\tat "), "no stack trace: " + r.body());
        return e;
    }

    static void assertMessage(JsonNode error, String... parts) {
        String message = error.get("message").asText();
        for (String p : parts) {
            assertTrue(message.contains(p), "message '" + message + "' should contain '" + p + "'");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            malformed JSON                | {"messages": [                                                         |          | not valid JSON
            not an object                 | [1,2]                                                                  |          | must be a JSON object
            empty body                    | ' '                                                                    |          | empty
            missing messages              | {"max_tokens": 3}                                                      | messages | Missing required parameter: messages
            messages of wrong type        | {"messages": "hello"}                                                  | messages | must be an array
            content of wrong type         | {"messages": [{"role": "user", "content": 5}]}                         | messages[0].content | must be a string or an array of text parts
            unknown role                  | {"messages": [{"role": "robot", "content": "x"}]}                      | messages[0].role | system, developer, user, assistant
            image content part            | {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]} | messages[0].content[0].type | not supported
            temperature of wrong type     | {"messages": [{"role": "user", "content": "x"}], "temperature": "hot"} | temperature | must be a number
            temperature below 0           | {"messages": [{"role": "user", "content": "x"}], "temperature": -0.5}  | temperature | temperature must be
            top_p above 1                 | {"messages": [{"role": "user", "content": "x"}], "top_p": 1.5}         | top_p | top_p must be
            top_logprobs above 20         | {"messages": [{"role": "user", "content": "x"}], "logprobs": true, "top_logprobs": 21} | top_logprobs | [0, 20]
            max_tokens below 1            | {"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}      | max_tokens | at least 1
            max_completion_tokens below 1 | {"messages": [{"role": "user", "content": "x"}], "max_completion_tokens": -3} | max_completion_tokens | at least 1
            max_tokens not an integer     | {"messages": [{"role": "user", "content": "x"}], "max_tokens": 2.5}    | max_tokens | must be an integer
            presence_penalty out of range | {"messages": [{"role": "user", "content": "x"}], "presence_penalty": 3} | presence_penalty | [-2, 2]
            logit_bias list form          | {"messages": [{"role": "user", "content": "x"}], "logit_bias": [1, 2]} | logit_bias | must be an object
            logit_bias bad token          | {"messages": [{"role": "user", "content": "x"}], "logit_bias": {"99999": 5}} | logit_bias | token ids in [0, 511]
            logit_bias bad value          | {"messages": [{"role": "user", "content": "x"}], "logit_bias": {"5": 500}} | logit_bias | [-100, 100]
            stop of wrong type            | {"messages": [{"role": "user", "content": "x"}], "stop": 7}            | stop | a string or an array of strings
            stream_options without stream | {"messages": [{"role": "user", "content": "x"}], "stream_options": {"include_usage": true}} | stream_options | only allowed when stream is true
            n above 1                     | {"messages": [{"role": "user", "content": "x"}], "n": 2}               | n | n must be 1
            tools                         | {"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function"}]} | tools | tools is not supported
            response_format json          | {"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_object"}} | response_format | json_object is not supported
            unknown parameter             | {"messages": [{"role": "user", "content": "x"}], "temprature": 1}      | temprature | Unrecognized request argument supplied: temprature
            """)
    void chatRefusesWith400(String name, String body, String param, String message) {
        JsonNode e = error(http.post("/v1/chat/completions", body), 400);
        assertEquals("invalid_request_error", e.get("type").asText());
        if (param == null) {
            assertTrue(e.get("param").isNull());
        } else {
            assertEquals(param, e.get("param").asText());
        }
        assertMessage(e, message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            missing prompt       | {"max_tokens": 3}                          | prompt | Missing required parameter: prompt
            prompt of token ids  | {"prompt": {"a": 1}}                       | prompt | a string or an array of strings
            prompt array element | {"prompt": ["ok", 3]}                      | prompt | prompt[1] must be a string
            echo                 | {"prompt": "x", "echo": true}              | echo   | echo is not supported
            best_of              | {"prompt": "x", "best_of": 3}              | best_of | best_of must be 1
            completion logprobs  | {"prompt": "x", "logprobs": 30}            | logprobs | [0, 20]
            """)
    void completionRefusesWith400(String name, String body, String param, String message) {
        JsonNode e = error(http.post("/v1/completions", body), 400);
        assertEquals(param, e.get("param").asText());
        assertMessage(e, message);
    }

    @Test
    void unknownModelIs404ListingTheAvailableOnes() {
        JsonNode e = error(http.post("/v1/chat/completions",
                body("{'model':'gpt-4o','messages':[{'role':'user','content':'x'}]}")), 404);
        assertEquals("model_not_found", e.get("code").asText());
        assertMessage(e, "gpt-4o", "stories260K");
        error(http.get("/v1/models/gpt-4o"), 404);
    }

    @Test
    void promptBeyondTheContextIs400WithBothCounts() {
        String longText = "Once upon a time there was a little girl. ".repeat(60);
        JsonNode e = error(http.post("/v1/chat/completions",
                body("{'messages':[{'role':'user','content':'" + longText + "'}]}")), 400);
        assertEquals("context_length_exceeded", e.get("code").asText());
        assertEquals("messages", e.get("param").asText());
        String message = e.get("message").asText();
        assertMessage(e, "maximum context length is " + ServerTestProfile.CONTEXT + " tokens");
        int promptTokens = Integer.parseInt(message.replaceAll(".*resulted in (\\d+) tokens.*", "$1"));
        assertTrue(promptTokens > ServerTestProfile.CONTEXT, message);
    }

    @Test
    void maxTokensBeyondTheContextIsClippedAndEndsWithLength() {
        JsonNode r = json(http.post("/v1/completions", body("""
                {'prompt':'Once upon a time','max_tokens':100000,'temperature':0,'logit_bias':{'2':-100}}""")).body());
        assertEquals("length", r.at("/choices/0/finish_reason").asText());
        assertEquals(ServerTestProfile.CONTEXT, r.at("/usage/total_tokens").asInt());
    }

    @Test
    void bodyTooLargeIs413() {
        String huge = body("{'prompt':'" + "a".repeat(70 * 1024) + "'}");
        JsonNode e = error(http.post("/v1/completions", huge), 413);
        assertMessage(e, "quill.max-body-size");
    }

    @Test
    void missingOrWrongApiKeyIs401() {
        TestHttp anonymous = new TestHttp(root, null);
        JsonNode e = error(anonymous.post("/v1/chat/completions", GOOD), 401);
        assertEquals("invalid_api_key", e.get("code").asText());
        assertMessage(e, "Authorization: Bearer");
        error(new TestHttp(root, "wrong-key").get("/v1/models"), 401);
        error(anonymous.post("/api/tokenize", body("{'content':'x'}")), 401);
        // Health and metrics stay open for probes and scrapers.
        assertEquals(200, anonymous.get("/q/health/live").statusCode());
    }

    @Test
    void modelThatFailsToLoadIs503AndOthersKeepWorking() {
        JsonNode e = error(http.post("/v1/chat/completions",
                body("{'model':'broken','messages':[{'role':'user','content':'x'}]}")), 503);
        assertEquals("model_unavailable", e.get("code").asText());
        assertMessage(e, "model 'broken' failed to load");
        // Still listed, with the reason.
        JsonNode listed = json(http.get("/v1/models/broken").body());
        assertTrue(listed.get("error").asText().contains("failed to load"), listed.toString());
        assertTrue(!listed.get("loaded").asBoolean());
    }

    @Test
    void fullQueueIs429WithRetryAfter() throws Exception {
        ServedModel model = models.registry().acquire(ServerTestProfile.MODEL);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CancellationToken holdCancel = new CancellationToken();
        List<CancellationToken> queued = new ArrayList<>();
        int[] prompt = model.tokenizer().encode("Once", true, false);
        // Holds the engine thread inside its first token until released.
        model.worker().submit(new InferenceJob(new GenerationRequest(prompt, SamplingParams.greedy(), 5, List.of()),
                new Quiet() {
                    @Override
                    public void onToken(int token, String text, Sampler sampler) {
                        started.countDown();
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }, holdCancel));
        try {
            assertTrue(started.await(30, TimeUnit.SECONDS));
            // The queue holds QUEUE waiting jobs beyond the free sequence slots (the held job takes one).
            int fill = ServerTestProfile.QUEUE + model.worker().options().maxSequences() - model.worker().activeSequences();
            for (int i = 0; i < fill; i++) {
                CancellationToken c = new CancellationToken();
                queued.add(c);
                model.worker().submit(new InferenceJob(new GenerationRequest(prompt, SamplingParams.greedy(), 1, List.of()),
                        new Quiet(), c));
            }
            HttpResponse<String> r = http.post("/v1/chat/completions", GOOD);
            JsonNode e = error(r, 429);
            assertEquals("queue_full", e.get("code").asText());
            int retryAfter = Integer.parseInt(r.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
            assertMessage(e, "queue", "full");
            // Streaming requests are refused the same way, before any event is sent.
            error(http.post("/v1/chat/completions", body("{'messages':[{'role':'user','content':'Hi'}],'stream':true}")), 429);
        } finally {
            queued.forEach(CancellationToken::cancel);
            holdCancel.cancel();
            release.countDown();
        }
    }

    @Test
    void unknownPathAndWrongMethodKeepTheErrorShape() {
        error(http.get("/v1/nothing-here"), 404);
        error(http.send(http.builder("/v1/chat/completions").GET().build()), 405);
        error(http.send(http.builder("/v1/models").POST(HttpRequest.BodyPublishers.ofString("{}")).build()), 405);
    }

    /** A listener that ignores everything. */
    private static class Quiet implements JobListener {
        @Override
        public void onToken(int token, String text, Sampler sampler) {
        }

        @Override
        public void onComplete(GenerationResult result) {
        }

        @Override
        public void onError(RuntimeException error) {
        }
    }
}
