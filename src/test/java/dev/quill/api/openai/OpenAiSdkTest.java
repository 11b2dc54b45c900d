package dev.quill.api.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import dev.quill.server.ServerTestProfile;
import dev.quill.server.TestHttp;
import dev.quill.testutil.SharedData;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK as a real client of Quill's OpenAI-compatible API, on stories260K. */
@QuarkusTest
@TestProfile(ServerTestProfile.class)
class OpenAiSdkTest {
    @TestHTTPResource("/")
    URL root;

    private OpenAIClient client;

    @BeforeEach
    void connect() {
        SharedData.model("stories260K.gguf");
        client = OpenAIOkHttpClient.builder().baseUrl(root + "v1").apiKey(ServerTestProfile.API_KEY).maxRetries(0).build();
    }

    @Test
    void listsAndRetrievesModelsWithTheirMetadata() {
        List<Model> models = client.models().list().data();
        List<String> ids = models.stream().map(Model::id).toList();
        assertEquals(List.of("broken", "stories-custom", "stories260K"), ids);
        assertEquals("stories260K", client.models().retrieve("stories260K").id());
        // Quill's metadata beside OpenAI's fields (the SDK keeps them as untyped extras).
        var meta = TestHttp.json(new TestHttp(URI.create(root.toString()), ServerTestProfile.API_KEY)
                .get("/v1/models/stories260K").body());
        assertEquals("llama", meta.get("architecture").asText());
        assertEquals("F32", meta.get("weight_type").asText());
        assertEquals(2048, meta.get("context_length").asInt());
        assertTrue(meta.get("parameter_count").asLong() > 200_000);
        // An alias from the configuration resolves to the same model.
        assertEquals("stories260K", client.models().retrieve("tiny").id());
    }

    @Test
    void chatCompletionCarriesTextFinishReasonAndUsage() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories260K").addUserMessage("Once upon a time").maxCompletionTokens(12).temperature(0).build());
        assertEquals("stories260K", c.model());
        var choice = c.choices().get(0);
        assertFalse(choice.message().content().orElse("").isEmpty());
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, choice.finishReason());
        var usage = c.usage().orElseThrow();
        assertEquals(12, usage.completionTokens());
        assertTrue(usage.promptTokens() > 4);
        assertEquals(usage.promptTokens() + usage.completionTokens(), usage.totalTokens());
    }

    @Test
    void streamedChatEqualsTheWholeResponseAndEndsWithUsage() {
        var builder = ChatCompletionCreateParams.builder().model("stories260K").addUserMessage("Once upon a time")
                .maxCompletionTokens(16).temperature(0);
        String whole = client.chat().completions().create(builder.build()).choices().get(0).message().content()
                .orElseThrow();
        var params = builder.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunks::add);
        }
        assertTrue(chunks.size() > 3, "expected several chunks, got " + chunks.size());
        assertEquals(Optional.of(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT), chunks.get(0).choices().get(0).delta().role());
        StringBuilder text = new StringBuilder();
        Optional<ChatCompletionChunk.Choice.FinishReason> finish = Optional.empty();
        for (var chunk : chunks) {
            assertEquals(chunks.get(0).id(), chunk.id());
            for (var choice : chunk.choices()) {
                choice.delta().content().ifPresent(text::append);
                if (choice.finishReason().isPresent()) {
                    finish = choice.finishReason();
                }
            }
        }
        assertEquals(whole, text.toString());
        assertEquals(Optional.of(ChatCompletionChunk.Choice.FinishReason.LENGTH), finish);
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertTrue(last.choices().isEmpty());
        assertEquals(16, last.usage().orElseThrow().completionTokens());
    }

    @Test
    void textCompletionStreamedAndNot() {
        var params = CompletionCreateParams.builder().model("stories260K").prompt("Once upon a time").maxTokens(10)
                .temperature(0).build();
        Completion c = client.completions().create(params);
        String whole = c.choices().get(0).text();
        assertFalse(whole.isEmpty());
        assertEquals(10, c.usage().orElseThrow().completionTokens());
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(ch -> streamed.append(ch.text())));
        }
        assertEquals(whole, streamed.toString());
    }

    @Test
    void logprobsListTheChosenTokenAndAlternatives() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories260K").addUserMessage("Once upon a time").maxCompletionTokens(4).temperature(0)
                .logprobs(true).topLogprobs(3).build());
        var content = c.choices().get(0).logprobs().orElseThrow().content().orElseThrow();
        assertEquals(4, content.size());
        for (var entry : content) {
            assertEquals(3, entry.topLogprobs().size());
            // Greedy: the chosen token is the most likely one.
            assertEquals(entry.topLogprobs().get(0).token(), entry.token());
            assertTrue(entry.logprob() <= 0);
        }
    }

    @Test
    void logitBiasInOpenAisObjectFormSteersTheTokens() {
        // +100 on one token makes it the only choice, whatever the model prefers.
        int forced = 428; // "g" in the stories260K vocabulary
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("stories260K").addUserMessage("Once upon a time").maxCompletionTokens(5).temperature(0)
                .logitBias(ChatCompletionCreateParams.LogitBias.builder()
                        .putAdditionalProperty(Integer.toString(forced), JsonValue.from(100)).build())
                .build());
        assertEquals("ggggg", c.choices().get(0).message().content().orElseThrow());
    }

    @Test
    void stopStringNeverReachesTheOutput() {
        var base = CompletionCreateParams.builder().model("stories260K").prompt("Once upon a time").maxTokens(40)
                .temperature(0);
        String full = client.completions().create(base.build()).choices().get(0).text();
        // Stop at a word in the middle of the greedy continuation.
        String[] words = full.trim().split("\\s+");
        String stop = words[Math.min(4, words.length - 1)];
        Completion c = client.completions().create(base.stop(stop).build());
        String text = c.choices().get(0).text();
        assertEquals(full.substring(0, full.indexOf(stop)), text);
        assertEquals(Completion.class, c.getClass());
        assertEquals("stop", c.choices().get(0).finishReason().asString());
    }
}
