package dev.quill.server;

import dev.quill.engine.GenerationRequest;
import dev.quill.engine.ServedModel;
import dev.quill.prompts.GenerationSettings;
import dev.quill.prompts.Generator;
import dev.quill.prompts.Prompt;
import dev.quill.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompt library's {@link Generator} on a served model: each call is queued on the model's
 * worker like any completion request (same queue limit, same engine thread) and waited for, so a
 * decomposed template or a chain of thought runs its calls strictly in order. Call it from a
 * worker thread, never the event loop.
 */
public final class EngineGenerator implements Generator {
    /** When neither the template nor the caller limits the output. */
    public static final int DEFAULT_MAX_TOKENS = 256;

    private final ServedModel model;
    private final ServerMetrics metrics;
    private final Long seed;

    /** @param seed the seed every call uses when the template names none; null for random */
    public EngineGenerator(ServedModel model, ServerMetrics metrics, Long seed) {
        this.model = model;
        this.metrics = metrics;
        this.seed = seed;
    }

    @Override
    public String generate(Prompt prompt, GenerationSettings settings) {
        SamplingParams.Builder b = SamplingParams.builder();
        if (seed != null) {
            b.seed(seed);
        }
        SamplingParams sampling = settings.parameters().applyTo(b).build();
        sampling.validate(model.model().config().vocabSize());
        int[] tokens;
        List<String> stops = new ArrayList<>(settings.stop());
        java.util.Set<Integer> ends = java.util.Set.of();
        if (prompt instanceof Prompt.Chat chat) {
            List<dev.quill.chat.ChatMessage> messages = chat.messages().stream()
                    .map(m -> new dev.quill.chat.ChatMessage(m.role().id(), m.content())).toList();
            tokens = model.renderChat(messages, true).tokens();
            stops.addAll(model.chatStopStrings());
            ends = model.chatEndTokens();
        } else {
            tokens = model.tokenizer().encode(((Prompt.Text) prompt).text(), true, false);
        }
        int room = model.contextLength() - tokens.length;
        if (room < 1) {
            throw new dev.quill.prompts.RenderLimitException("context", "the rendered prompt has " + tokens.length
                    + " tokens; model " + model.id() + " takes at most " + (model.contextLength() - 1));
        }
        int max = Math.min(settings.maxTokens() == null ? DEFAULT_MAX_TOKENS : settings.maxTokens(), room);
        var request = new GenerationRequest(tokens, sampling, max, stops, ends);
        StringBuilder text = new StringBuilder();
        GenerationSession.start(model, List.of(request), metrics).subscribe().asStream().forEach(e -> {
            if (e instanceof GenerationEvent.Token t) {
                text.append(t.text());
            } else if (e instanceof GenerationEvent.Trailing t) {
                text.append(t.text());
            }
        });
        return text.toString();
    }
}
