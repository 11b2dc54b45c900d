package dev.quill.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quill.testutil.SharedData;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The prompts of the logits golden files, which llama.cpp tokenized (BOS where the model adds
 * one) for every model in shared/models, and the text llama.cpp printed for the greedy tokens.
 */
class GoldenPromptTest {
    static Stream<Arguments> prompts() throws IOException {
        Path models = SharedData.require("models");
        List<Arguments> cases = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(models)) {
            for (Path model : files.filter(p -> p.toString().endsWith(".gguf")).sorted().toList()) {
                String name = model.getFileName().toString().replace(".gguf", "");
                JsonNode golden = json.readTree(SharedData.require("conformance/logits/" + name + ".golden.json").toFile());
                int index = 0;
                for (JsonNode c : golden.get("cases")) {
                    String prompt = c.get("prompt").asText();
                    cases.add(Arguments.of(Named.of(name, model), ++index,
                            Named.of(TokenizerConformanceTest.visible(prompt), prompt),
                            ints(c.get("tokens")), ints(c.get("greedy")),
                            HexFormat.of().parseHex(c.get("greedy_text_utf8_hex").asText())));
                }
            }
        }
        return cases.stream();
    }

    private static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }

    @ParameterizedTest(name = "{0} prompt {1}: {2}")
    @MethodSource("prompts")
    void promptTokensMatchLlamaCpp(Path model, int index, String prompt, int[] tokens, int[] greedy, byte[] greedyText) {
        Tokenizer tokenizer = SharedTokenizers.load(model);
        assertArrayEquals(tokens, tokenizer.encode(prompt, true, false));
    }

    @ParameterizedTest(name = "{0} prompt {1}: {2}")
    @MethodSource("prompts")
    void greedyTokensDecodeToLlamaCppText(Path model, int index, String prompt, int[] tokens, int[] greedy, byte[] greedyText) {
        Tokenizer tokenizer = SharedTokenizers.load(model);
        // llama.cpp printed each token's piece with special = true, without stripping spaces
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : greedy) {
            bytes.writeBytes(tokenizer.tokenBytes(id));
        }
        assertArrayEquals(greedyText, bytes.toByteArray());
        assertEquals(new String(greedyText, StandardCharsets.UTF_8), tokenizer.decode(greedy));
    }

    @ParameterizedTest(name = "{0} prompt {1}: {2}")
    @MethodSource("prompts")
    void streamingGreedyTokensGivesTheSameText(Path model, int index, String prompt, int[] tokens, int[] greedy, byte[] greedyText) {
        Tokenizer tokenizer = SharedTokenizers.load(model);
        StreamingDetokenizer stream = new StreamingDetokenizer(tokenizer, true, false);
        StringBuilder text = new StringBuilder();
        for (int id : greedy) {
            text.append(stream.accept(id));
        }
        text.append(stream.flush());
        assertEquals(new String(greedyText, StandardCharsets.UTF_8), text.toString());
    }
}
