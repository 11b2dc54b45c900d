package dev.quill.api.platform;

import static dev.quill.server.TestHttp.body;
import static dev.quill.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quill.server.ServerTestProfile;
import dev.quill.server.TestHttp;
import dev.quill.testutil.SharedData;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tokenizer inspector's API: the list of tokenizers, tokenizing with any of them (compared
 * with llama.cpp's test vectors in ../shared), per-token bytes, and every bad input.
 */
@QuarkusTest
@TestProfile(ServerTestProfile.class)
class TokenizerApiTest {

    @TestHTTPResource("/")
    URI root;

    private TestHttp http;

    @BeforeEach
    void setUp() {
        SharedData.model("stories260K.gguf");
        http = new TestHttp(root, ServerTestProfile.API_KEY);
    }

    private JsonNode tokenize(String tokenizer, String content) {
        ObjectNode req = JsonNodeFactory.instance.objectNode().put("tokenizer", tokenizer).put("content", content)
                .put("add_special", false);
        HttpResponse<String> r = http.post("/api/tokenize", req.toString());
        assertEquals(200, r.statusCode(), r.body());
        return json(r.body());
    }

    @Test
    void listsModelsVocabularyFilesAndReferences() {
        SharedData.require("conformance/tokenizer/ggml-vocab-llama3.gguf");
        JsonNode list = json(http.get("/api/tokenizers").body());
        assertEquals("stories260K", list.get("default").asText());
        Map<String, JsonNode> byId = new HashMap<>();
        list.get("data").forEach(t -> byId.put(t.get("id").asText(), t));
        assertEquals("model", byId.get("stories260K").get("source").asText());
        assertTrue(byId.get("stories260K").get("label").asText().contains("llama"), byId.get("stories260K").toString());
        assertEquals("file", byId.get("ggml-vocab-llama3").get("source").asText());
        for (String ref : List.of("r50k_base", "cl100k_base", "o200k_base")) {
            assertEquals("reference", byId.get(ref).get("source").asText(), ref);
        }
        assertFalse(byId.get("broken").get("error").isNull(), "a file that cannot be read says so");
    }

    @Test
    void referenceTokenizerGivesTheIdsTiktokenGives() {
        // The OpenAI cookbook's example for cl100k_base.
        JsonNode r = tokenize("cl100k_base", "tiktoken is great!");
        assertEquals("[83,1609,5963,374,2294,0]", r.get("ids").toString());
        assertEquals("cl100k_base", r.get("tokenizer").asText());
        assertEquals("reference", r.get("source").asText());
        assertTrue(r.get("model").isNull());
        assertEquals(6, r.get("token_count").asInt());
        assertEquals(18, r.get("char_count").asInt());
        assertEquals(100_277, r.get("vocab_size").asInt());
        JsonNode is = r.get("tokens").get(3);
        assertEquals("Ġis", is.get("piece").asText());
        assertEquals(" is", is.get("text").asText());
        assertEquals("[32,105,115]", is.get("bytes").toString());
        assertTrue(is.get("utf8").asBoolean());
        // aliases resolve to the listed id
        assertEquals("r50k_base", tokenize("gpt2", "x").get("tokenizer").asText());
    }

    @Test
    void everyTokenizerReproducesLlamaCppsTestVectors() throws IOException {
        // r50k is GPT-2's vocabulary, so it must give llama.cpp's GPT-2 ids too.
        Map<String, String> vectors = Map.of("ggml-vocab-llama3", "llama3", "ggml-vocab-gpt-2", "gpt-2",
                "ggml-vocab-llama-spm", "llama-spm", "r50k_base", "gpt-2");
        for (var e : vectors.entrySet()) {
            Path gguf = SharedData.require("conformance/tokenizer/ggml-vocab-" + e.getValue() + ".gguf");
            List<String> inputs = SharedData.splitTokenizerInputs(Files.readString(Path.of(gguf + ".inp"), StandardCharsets.UTF_8));
            List<String> outputs = Files.readAllLines(Path.of(gguf + ".out"), StandardCharsets.UTF_8);
            for (int i = 0; i < inputs.size(); i++) {
                String expected = "[" + outputs.get(i).strip().replace(' ', ',') + "]";
                assertEquals(expected, tokenize(e.getKey(), inputs.get(i)).get("ids").toString(),
                        e.getKey() + " line " + (i + 1));
            }
        }
    }

    @Test
    void byteFallbackTokensCarryTheirBytes() {
        SharedData.require("conformance/tokenizer/ggml-vocab-llama-spm.gguf");
        // U+1F999 is not in Llama 2's vocabulary: four byte tokens.
        JsonNode tokens = tokenize("ggml-vocab-llama-spm", "🦙").get("tokens");
        List<Integer> bytes = new ArrayList<>();
        int fallback = 0;
        for (JsonNode t : tokens) {
            if (t.get("byte_fallback").asBoolean()) {
                fallback++;
                assertEquals("byte", t.get("type").asText());
                assertFalse(t.get("utf8").asBoolean());
                assertEquals(String.format("<0x%02X>", t.get("bytes").get(0).asInt()), t.get("piece").asText());
                bytes.add(t.get("bytes").get(0).asInt());
            }
        }
        assertEquals(4, fallback, tokens.toString());
        assertEquals(List.of(0xF0, 0x9F, 0xA6, 0x99), bytes);
    }

    @Test
    void aModelsTokenizerIsReadWithoutLoadingTheModel() {
        assertEquals(200, http.post("/api/models/" + ServerTestProfile.CUSTOM_TEMPLATE_MODEL + "/unload", "").statusCode());
        JsonNode r = tokenize(ServerTestProfile.CUSTOM_TEMPLATE_MODEL, "Lily saw a big dog.");
        assertEquals(ServerTestProfile.CUSTOM_TEMPLATE_MODEL, r.get("model").asText());
        assertEquals(512, r.get("vocab_size").asInt());
        JsonNode byModel = json(http.post("/api/tokenize", body("{'model':'stories260K','content':'Lily saw a big dog.','add_special':false}")).body());
        assertEquals(byModel.get("ids"), r.get("ids"), "the same vocabulary gives the same ids either way");
        assertFalse(json(http.get("/v1/models/" + ServerTestProfile.CUSTOM_TEMPLATE_MODEL).body()).get("loaded").asBoolean());
    }

    @Test
    void badInputGetsAClearError() {
        HttpResponse<String> r = http.post("/api/tokenize", body("{'tokenizer':'p99k','content':'x'}"));
        assertEquals(404, r.statusCode());
        String message = json(r.body()).at("/error/message").asText();
        assertTrue(message.contains("'p99k'") && message.contains("cl100k_base") && message.contains("stories260K"), message);
        assertEquals("tokenizer", json(r.body()).at("/error/param").asText());

        r = http.post("/api/tokenize", body("{'tokenizer':'cl100k_base','model':'stories260K','content':'x'}"));
        assertEquals(400, r.statusCode());
        assertTrue(json(r.body()).at("/error/message").asText().contains("not both"));

        String tooLong = "7".repeat(ServerTestProfile.TOKENIZE_MAX_CHARS + 1);
        r = http.post("/api/tokenize", JsonNodeFactory.instance.objectNode().put("tokenizer", "o200k_base")
                .put("content", tooLong).toString());
        assertEquals(413, r.statusCode());
        message = json(r.body()).at("/error/message").asText();
        assertTrue(message.contains(Integer.toString(ServerTestProfile.TOKENIZE_MAX_CHARS)) && message.contains("quill.tokenize-max-chars"), message);

        r = http.post("/api/tokenize", body("{'tokenizer':'cl100k_base','content':42}"));
        assertEquals(400, r.statusCode());
        assertEquals("content", json(r.body()).at("/error/param").asText());

        r = http.post("/api/tokenize", body("{'tokenizer':'broken','content':'x'}"));
        assertEquals(503, r.statusCode());
        assertTrue(json(r.body()).at("/error/message").asText().contains("broken"), r.body());

        // and the server still answers a good request
        assertEquals(200, http.post("/api/tokenize", body("{'tokenizer':'o200k_base','content':'fine'}")).statusCode());
    }
}
