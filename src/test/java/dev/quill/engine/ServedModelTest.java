package dev.quill.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.chat.ChatMessage;
import dev.quill.model.Model;
import dev.quill.model.ModelOptions;
import dev.quill.testutil.SharedData;
import dev.quill.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a served model turns a conversation into tokens, and where its replies end. */
class ServedModelTest {
    private static ServedModel serve(Path file, String templateOverride) throws IOException {
        Model model = Model.load(file, ModelOptions.defaults().withContextLength(64).withThreads(1));
        var tokenizer = Tokenizers.fromGguf(model.file().metadata());
        String source = templateOverride != null ? templateOverride
                : model.file().metadata().getString("tokenizer.chat_template", null);
        return new ServedModel("m", ModelInfo.read(file), model, tokenizer, ChatPromptFormatter.forTemplate(source), SchedulerOptions.defaults().withQueueSize(1));
    }

    @Test
    void modelTemplateEndOfTurnTokenEndsTheReplyAndBosIsNotDoubled() throws IOException {
        try (ServedModel phi3 = serve(SharedData.model("micro-phi3-q4_k_m.gguf"), null)) {
            assertFalse(phi3.chatFormatter().isFallback());
            int end = phi3.tokenizer().encode("<|end|>", false, true)[0];
            assertTrue(phi3.chatEndTokens().contains(end), "<|end|> ends a reply: " + phi3.chatEndTokens());
            assertTrue(phi3.chatStopStrings().isEmpty());
            var prompt = phi3.renderChat(List.of(ChatMessage.user("Hi")), true);
            assertTrue(prompt.text().startsWith("<s>"), prompt.text());
            assertEquals(phi3.tokenizer().bos(), prompt.tokens()[0]);
            assertTrue(prompt.tokens()[1] != phi3.tokenizer().bos(), "one BOS only");
            assertTrue(prompt.text().endsWith("<|assistant|>\n"), prompt.text());
        }
    }

    @Test
    void chatmlFallbackOnAVocabularyWithoutItsMarkersStopsAtTheText() throws IOException {
        try (ServedModel stories = serve(SharedData.model("stories260K.gguf"), null)) {
            assertTrue(stories.chatFormatter().isFallback());
            assertTrue(stories.chatEndTokens().isEmpty());
            assertEquals(List.of("<|im_end|>"), stories.chatStopStrings());
        }
    }

    @Test
    void raisedTemplateErrorsAreTheClientsFault() throws IOException {
        String refusing = "{{ raise_exception('Conversation roles must alternate') }}";
        try (ServedModel m = serve(SharedData.model("stories260K.gguf"), refusing)) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(ChatTemplateFailure.class,
                    () -> m.renderChat(List.of(ChatMessage.user("Hi")), true));
            assertTrue(e.raisedByTemplate());
            assertTrue(e.getMessage().contains("Conversation roles must alternate"), e.getMessage());
        }
        try (ServedModel broken = serve(SharedData.model("stories260K.gguf"), "{% for %}")) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(ChatTemplateFailure.class,
                    () -> broken.renderChat(List.of(ChatMessage.user("Hi")), true));
            assertFalse(e.raisedByTemplate());
            assertTrue(e.getMessage().contains("quill.chat-template"), e.getMessage());
        }
    }
}
