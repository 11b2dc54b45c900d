package dev.quill.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.model.ContextLengthExceededException;
import dev.quill.model.Model;
import dev.quill.model.ModelOptions;
import dev.quill.sampling.SamplingParams;
import dev.quill.testutil.SharedData;
import dev.quill.tokenizer.Tokenizer;
import dev.quill.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generation loop on the trained stories260K model. */
class GeneratorTest {
    /** llama.cpp's greedy continuation of "Once upon a time" (../shared/conformance/logits). */
    private static final String GREEDY_STORY = ", there was a little girl named Lily. She loved to play outside in the park. One day,";

    private static Model model;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        model = Model.load(SharedData.model("stories260K.gguf"), ModelOptions.defaults().withThreads(2).withContextLength(256));
        tokenizer = Tokenizers.fromGguf(model.file().metadata());
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    private GenerationResult run(String prompt, SamplingParams params, int maxTokens, List<String> stop,
            GenerationListener listener, CancellationToken cancel) {
        Generator g = new Generator(model, tokenizer);
        return g.generate(new GenerationRequest(tokenizer.encode(prompt, true, false), params, maxTokens, stop), listener, cancel);
    }

    @Test
    void greedyTextIsLlamaCppsAndStreamsToken() {
        List<String> pieces = new ArrayList<>();
        GenerationResult r = run("Once upon a time", SamplingParams.greedy(), 20, List.of(),
                (token, text, sampler) -> pieces.add(text), null);
        assertTrue(GREEDY_STORY.startsWith(r.text()) && r.text().length() > 60, r.text());
        assertEquals(20, r.completionTokens());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(5, r.promptTokens());
        assertEquals(r.text(), String.join("", pieces));
        assertTrue(pieces.size() == 20, "one callback per token");
    }

    @Test
    void stopStringEndsGenerationAndIsNotInTheText() {
        GenerationResult r = run("Once upon a time", SamplingParams.greedy(), 100, List.of("Lily"), GenerationListener.NONE, null);
        assertEquals(", there was a little girl named ", r.text());
        assertEquals(FinishReason.STOP, r.finishReason());
    }

    @Test
    void seededSamplingIsReproducibleAndSeedsDiffer() {
        SamplingParams a = SamplingParams.builder().temperature(1.0f).topK(0).topP(1f).minP(0f).seed(7L).build();
        SamplingParams b = a.toBuilder().seed(8L).build();
        String first = run("Once upon a time", a, 40, List.of(), GenerationListener.NONE, null).text();
        String again = run("Once upon a time", a, 40, List.of(), GenerationListener.NONE, null).text();
        String other = run("Once upon a time", b, 40, List.of(), GenerationListener.NONE, null).text();
        assertEquals(first, again);
        assertNotEquals(first, other);
    }

    @Test
    void cancellationStopsAtTheNextStep() {
        CancellationToken cancel = new CancellationToken();
        int[] seen = {0};
        GenerationResult r = run("Once upon a time", SamplingParams.greedy(), 100, List.of(), (token, text, sampler) -> {
            if (++seen[0] == 3) {
                cancel.cancel();
            }
        }, cancel);
        assertEquals(FinishReason.CANCELLED, r.finishReason());
        assertEquals(3, r.completionTokens());
    }

    @Test
    void aCancelledRequestStopsDuringThePromptAndLeavesAUsableCache() throws IOException {
        try (Model oneTokenSteps = Model.load(SharedData.model("stories260K.gguf"), ModelOptions.defaults().withMaxBatch(1))) {
            Generator g = new Generator(oneTokenSteps, tokenizer);
            CancellationToken cancelled = new CancellationToken();
            cancelled.cancel();
            int[] prompt = tokenizer.encode("Once upon a time", true, false);
            GenerationResult r = g.generate(new GenerationRequest(prompt, SamplingParams.greedy(), 10, List.of()), GenerationListener.NONE, cancelled);
            assertEquals(FinishReason.CANCELLED, r.finishReason());
            assertEquals(0, r.completionTokens());
            GenerationResult next = g.generate(new GenerationRequest(prompt, SamplingParams.greedy(), 20, List.of()), GenerationListener.NONE, null);
            assertTrue(GREEDY_STORY.startsWith(next.text()) && !next.text().isEmpty(), next.text());
        }
    }

    @Test
    void promptLongerThanTheContextIsRefusedAndAFullContextEndsWithLength() throws IOException {
        try (Model small = Model.load(SharedData.model("stories260K.gguf"), ModelOptions.defaults().withContextLength(16))) {
            Generator g = new Generator(small, tokenizer);
            int[] longPrompt = tokenizer.encode("Lily and Tom went to the park. They saw a big dog and a cat.", true, false);
            assertTrue(longPrompt.length > 16);
            ContextLengthExceededException e = assertThrows(ContextLengthExceededException.class,
                    () -> g.generate(new GenerationRequest(longPrompt, SamplingParams.greedy(), 10, List.of()), GenerationListener.NONE, null));
            assertEquals(16, e.contextLength());
            int[] prompt = tokenizer.encode("Once upon a time", true, false);
            GenerationResult r = g.generate(new GenerationRequest(prompt, SamplingParams.greedy(), -1, List.of()), GenerationListener.NONE, null);
            assertEquals(FinishReason.LENGTH, r.finishReason());
            assertEquals(16 - prompt.length, r.completionTokens(), "generation fills the context exactly");
        }
    }

    @Test
    void aFollowUpPromptReusesTheCachedPrefixWithoutChangingTheResult() {
        Generator g = new Generator(model, tokenizer);
        int[] first = tokenizer.encode("Once upon a time", true, false);
        int[] longer = tokenizer.encode("Once upon a time, there was a dog", true, false);
        g.generate(new GenerationRequest(first, SamplingParams.greedy(), 5, List.of()), GenerationListener.NONE, null);
        GenerationResult warm = g.generate(new GenerationRequest(longer, SamplingParams.greedy(), 12, List.of()), GenerationListener.NONE, null);
        GenerationResult cold = new Generator(model, tokenizer)
                .generate(new GenerationRequest(longer, SamplingParams.greedy(), 12, List.of()), GenerationListener.NONE, null);
        assertEquals(cold.text(), warm.text());
        assertFalse(warm.text().isEmpty());
    }

    @Test
    void multiByteCharactersAreNeverSplit() {
        // The emoji prompt makes the model emit byte-fallback tokens; every streamed piece must be valid UTF-8 text.
        List<String> pieces = new ArrayList<>();
        run("Café naïve résumé — “quotes” and emoji 🚀 in 2026!", SamplingParams.greedy(), 24, List.of(),
                (token, text, sampler) -> pieces.add(text), null);
        for (String p : pieces) {
            byte[] utf8 = p.getBytes(StandardCharsets.UTF_8);
            assertEquals(p, new String(utf8, StandardCharsets.UTF_8));
            assertFalse(p.contains("\uFFFD"), "no replacement characters in " + pieces);
        }
    }

    @Test
    void aChoiceConstraintOnlyEverProducesAnAllowedAnswer() {
        var choice = dev.quill.prompts.constrain.ChoiceConstraint.of(tokenizer, List.of("Yes", "No", "Maybe not"));
        int[] prompt = tokenizer.encode("Was the cat happy? Answer:", true, false);
        java.util.Set<String> seen = new java.util.TreeSet<>();
        for (long seed = 1; seed <= 40; seed++) {
            // A hot, wide sampler: without the constraint it writes a story, not an answer.
            SamplingParams hot = SamplingParams.builder().temperature(1.5f).topK(0).topP(1f).minP(0f).seed(seed).build();
            GenerationResult free = new Generator(model, tokenizer).generate(
                    new GenerationRequest(prompt, hot, 8, List.of()), (t, x, s) -> { }, null);
            GenerationResult r = new Generator(model, tokenizer).generate(
                    new GenerationRequest(prompt, hot, 8, List.of()).withConstraint(choice), (t, x, s) -> { }, null);
            String answer = r.text().strip();
            assertTrue(List.of("Yes", "No", "Maybe not").contains(answer), "seed " + seed + " gave '" + r.text() + "' (free: '" + free.text() + "')");
            assertEquals(FinishReason.STOP, r.finishReason());
            seen.add(answer);
        }
        assertTrue(seen.size() >= 2, "sampling still chooses among the answers: " + seen);
    }
}
