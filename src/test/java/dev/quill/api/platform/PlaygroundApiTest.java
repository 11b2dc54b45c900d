package dev.quill.api.platform;

import static dev.quill.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the browser playground reads besides the OpenAI API: personas, serving context, its own files. */
@QuarkusTest
@TestProfile(ServerTestProfile.class)
class PlaygroundApiTest {
    @TestHTTPResource("/")
    URI root;

    private TestHttp http;

    @BeforeEach
    void setUp() {
        SharedData.model("stories260K.gguf");
        http = new TestHttp(root, ServerTestProfile.API_KEY);
    }

    @Test
    void personasAreListedWithTheirSystemPrompts() {
        HttpResponse<String> r = http.get("/api/personas");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode tutor = null;
        for (JsonNode p : json(r.body()).get("data")) {
            if (p.get("name").asText().equals("socratic-tutor")) {
                tutor = p;
            }
        }
        assertTrue(tutor != null, "the shipped persona socratic-tutor is listed: " + r.body());
        assertTrue(tutor.get("system_prompt").asText().startsWith("You are a patient Socratic tutor."), tutor.toString());
        assertEquals("teaching", tutor.get("tags").get(0).asText());
        // Like the rest of /api, it needs the key when keys are set.
        assertEquals(401, new TestHttp(root, null).get("/api/personas").statusCode());
    }

    @Test
    void modelsGiveTheContextARequestGetsHereBesidesTheTrainedOne() {
        JsonNode m = json(http.get("/v1/models/stories260K").body());
        assertEquals(2048, m.get("context_length").asInt());
        assertEquals(ServerTestProfile.CONTEXT, m.get("serving_context_length").asInt());
        JsonNode broken = json(http.get("/v1/models/broken").body());
        assertTrue(!broken.has("serving_context_length") && broken.has("error"), broken.toString());
    }

    @Test
    void thePlaygroundIsServedAtTheRootWithoutAKey() {
        TestHttp anonymous = new TestHttp(root, null);
        HttpResponse<String> index = anonymous.get("/");
        assertEquals(200, index.statusCode());
        assertTrue(index.body().contains("<script type=\"module\" src=\"js/app.js\">"), index.body());
        assertTrue(index.body().contains("href=\"favicon.svg\""));
        for (String path : new String[] {"/js/app.js", "/js/api.js", "/js/dom.js", "/js/views/chat.js", "/js/views/compare.js",
                "/css/app.css", "/favicon.svg"}) {
            assertEquals(200, anonymous.get(path).statusCode(), path);
        }
    }
}
