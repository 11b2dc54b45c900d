package dev.quill.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quill.testutil.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of ../shared/conformance/chat-templates/chat-template-cases.json: real published
 * chat templates rendered by Python jinja2 3.1.6 configured as transformers configures it. Each
 * rendering must match byte for byte, or fail with the template's own error message.
 */
class ChatTemplateConformanceTest {
    /** The reference renderings were made with strftime_now fixed at this local time. */
    static final Clock REFERENCE_CLOCK = Clock.fixed(
            LocalDateTime.of(2026, 11, 27, 12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);

    @TestFactory
    Stream<DynamicTest> everyReferenceCase() throws IOException {
        Path file = SharedData.require("conformance/chat-templates/chat-template-cases.json");
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        JsonNode cases = root.get("cases");
        assertTrue(cases.size() > 0, "reference file has cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            String template = c.get("template").asText();
            String conversation = c.get("conversation").asText();
            boolean generationPrompt = c.get("add_generation_prompt").asBoolean();
            String name = template + " / " + conversation + (generationPrompt ? " + generation prompt" : "");
            tests.add(DynamicTest.dynamicTest(name, () -> check(root, c)));
        }
        return tests.stream();
    }

    private static void check(JsonNode root, JsonNode c) {
        String source = root.get("templates").get(c.get("template").asText()).asText();
        ChatTemplate template = ChatTemplate.compile(source).withClock(REFERENCE_CLOCK);
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : root.get("conversations").get(c.get("conversation").asText())) {
            messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        }
        boolean generationPrompt = c.get("add_generation_prompt").asBoolean();
        String bos = c.get("bos_token").asText();
        String eos = c.get("eos_token").asText();
        if (c.has("expected_error")) {
            TemplateRaisedException e = assertThrows(TemplateRaisedException.class,
                    () -> template.renderChat(messages, generationPrompt, bos, eos, Map.of()));
            assertTrue(e.getMessage().contains(c.get("expected_error").asText()),
                    "error message '" + e.getMessage() + "' should contain '" + c.get("expected_error").asText() + "'");
        } else {
            assertEquals(c.get("expected").asText(), template.renderChat(messages, generationPrompt, bos, eos, Map.of()));
        }
    }
}
