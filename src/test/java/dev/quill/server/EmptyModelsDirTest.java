package dev.quill.server;

import static dev.quill.server.TestHttp.body;
import static dev.quill.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quill.testutil.SharedData;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * First run without any model: the server starts, lists nothing, tells how to add a model, and
 * serves a .gguf dropped into the models directory without a restart.
 */
@QuarkusTest
@TestProfile(EmptyModelsDirTest.Profile.class)
class EmptyModelsDirTest {
    static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("quill-empty-models");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> ServerTestProfile.deleteAll(DIR)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quill.models-dir", DIR.toString(), "quill.context-length", "128", "quill.threads", "1");
        }
    }

    @TestHTTPResource("/")
    URI root;

    @Test
    void startsEmptyExplainsHowToAddAModelAndPicksUpADroppedFile() throws IOException {
        TestHttp http = new TestHttp(root, null);
        assertEquals(0, json(http.get("/v1/models").body()).get("data").size());
        var r = http.post("/v1/chat/completions", body("{'messages':[{'role':'user','content':'Hi'}]}"));
        assertEquals(503, r.statusCode(), r.body());
        String message = json(r.body()).at("/error/message").asText();
        assertTrue(message.contains("quill pull ORG/REPO FILE.gguf") && message.contains(DIR.toString()), message);
        JsonNode named = json(http.post("/v1/completions", body("{'model':'llama','prompt':'x'}")).body());
        assertTrue(named.at("/error/message").asText().contains("quill pull"), named.toString());
        assertEquals(503, http.get("/q/health/ready").statusCode());

        Path stories = SharedData.model("stories260K.gguf");
        // A copy, not a link: the server keeps it mapped, and other tests count mappings of the shared file.
        Files.copy(stories, DIR.resolve("stories260K.gguf"));
        try {
            assertEquals("stories260K", json(http.get("/v1/models").body()).at("/data/0/id").asText());
            var ok = http.post("/v1/chat/completions", body("{'messages':[{'role':'user','content':'Hi'}],'max_tokens':3}"));
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals("stories260K", json(ok.body()).get("model").asText());
            assertEquals(200, http.get("/q/health/ready").statusCode());
        } finally {
            http.post("/api/models/stories260K/unload", "");
            Files.deleteIfExists(DIR.resolve("stories260K.gguf"));
        }
    }
}
