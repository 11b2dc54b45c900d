package dev.quill.api.platform;

import static dev.quill.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.quill.server.ServerTestProfile;
import dev.quill.server.TestHttp;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Linting unsaved template text, and one-click rewrites that really fix what they claim to. */
@QuarkusTest
@TestProfile(ServerTestProfile.class)
class PromptLintApiTest {
    @TestHTTPResource("/")
    URI root;

    private TestHttp http;

    @BeforeEach
    void setUp() {
        http = new TestHttp(root, ServerTestProfile.API_KEY);
    }

    private JsonNode lint(String content) {
        HttpResponse<String> r = http.post("/api/prompts/lint", JsonNodeFactory.instance.objectNode().put("content", content).toString());
        assertEquals(200, r.statusCode(), r.body());
        return json(r.body()).get("findings");
    }

    private static int count(JsonNode findings, String rule) {
        int n = 0;
        for (JsonNode f : findings) {
            n += f.get("rule").asText().equals(rule) ? 1 : 0;
        }
        return n;
    }

    @Test
    void applyingEachOneClickRewriteRemovesItsFinding() throws IOException {
        String content = Files.readString(Path.of("prompts/qa/question-generation-before.md"));
        JsonNode findings = lint(content);
        int negatives = count(findings, "negative-statement");
        assertTrue(negatives >= 2, findings.toString());
        JsonNode dont = null;
        for (JsonNode f : findings) {
            if (f.get("excerpt").asText().startsWith("Don't create questions")) {
                dont = f;
            }
            if (f.get("rule").asText().equals("vague-term") || f.get("rule").asText().equals("no-output-constraint")) {
                assertTrue(f.get("replacement").isNull(), "advice is not offered as a rewrite: " + f);
            }
        }
        assertTrue(dont != null, findings.toString());
        // Mishra et al.'s own example of turning a negative statement into a positive one.
        assertEquals("Create questions that are answerable from the passage.", dont.get("replacement").asText());

        // Apply every offered rewrite, one at a time, as the Prompts view does.
        String text = content;
        int applied = 0;
        for (int round = 0; round < 10; round++) {
            JsonNode offered = null;
            for (JsonNode f : lint(text)) {
                if (!f.get("replacement").isNull() && text.contains(f.get("excerpt").asText())) {
                    offered = f;
                    break;
                }
            }
            if (offered == null) {
                break;
            }
            String before = text;
            text = text.replace(offered.get("excerpt").asText(), offered.get("replacement").asText());
            assertFalse(before.equals(text));
            for (JsonNode f : lint(text)) {
                assertFalse(f.get("rule").equals(offered.get("rule")) && f.get("excerpt").equals(offered.get("excerpt")),
                        "the rewrite fixed " + offered);
            }
            applied++;
        }
        assertTrue(applied >= 2, "rewrites applied: " + applied);
        assertTrue(count(lint(text), "negative-statement") < negatives);
    }

    @Test
    void badContentIsA400NamingTheProblem() {
        HttpResponse<String> r = http.post("/api/prompts/lint", JsonNodeFactory.instance.objectNode()
                .put("content", "---\nname: [unclosed\n---\nhi").toString());
        assertEquals(400, r.statusCode(), r.body());
        assertFalse(json(r.body()).at("/error/message").asText().isBlank());

        r = http.post("/api/prompts/lint", "{\"contnet\":\"x\"}");
        assertEquals(400, r.statusCode());
        assertTrue(json(r.body()).at("/error/message").asText().contains("contnet"), r.body());

        r = http.post("/api/prompts/lint", "not json");
        assertEquals(400, r.statusCode());

        // fields instead of file text work too
        JsonNode ok = json(http.post("/api/prompts/lint", "{\"name\":\"demo/x\",\"body\":\"Never use jargon.\"}").body());
        assertEquals(1, count(ok.get("findings"), "negative-statement"), ok.toString());
    }
}
