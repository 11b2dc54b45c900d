package dev.quill.server;

import dev.quill.engine.GenerationRequest;
import dev.quill.engine.GenerationResult;
import dev.quill.engine.ServedModel;
import dev.quill.prompts.CallPart;
import dev.quill.prompts.ChatMessage;
import dev.quill.prompts.GenerationSettings;
import dev.quill.prompts.Generator;
import dev.quill.prompts.Prompt;
import dev.quill.prompts.constrain.ChoiceConstraint;
import dev.quill.sampling.SamplingParams;
import io.smallrye.mutiny.subscription.Cancellable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The prompt library's {@link Generator} on a served model: each call is queued on the model's
 * worker like any completion request (same queue limit, same engine thread) and waited for, so a
 * decomposed template or a chain of thought runs its calls strictly in order. Call it from a
 * worker or virtual thread, never the event loop.
 *
 * <p>Settings with allowed answers are decoded under a {@link ChoiceConstraint}: the model can only
 * produce one of them. A {@link Listener} sees every call start, its text as it is generated, and
 * its end; {@link #cancel()} stops the running call and every later one.
 */
public final class EngineGenerator implements Generator {
    /** When neither the template nor the caller limits the output. */
    public static final int DEFAULT_MAX_TOKENS = 256;

    /** Sees the calls of a run as they happen (on the engine thread for {@link #onText}). */
    public interface Listener {
        void onCallStart(CallPart part, Prompt prompt);

        void onText(CallPart part, String text);

        void onCallEnd(CallPart part, String output, GenerationResult result);
    }

    /** One finished call: what it was for and the engine's figures. */
    public record Call(CallPart part, GenerationResult result) {
    }

    private static final Listener NONE = new Listener() {
        @Override
        public void onCallStart(CallPart part, Prompt prompt) {
        }

        @Override
        public void onText(CallPart part, String text) {
        }

        @Override
        public void onCallEnd(CallPart part, String output, GenerationResult result) {
        }
    };

    private final ServedModel model;
    private final ServerMetrics metrics;
    private final SamplingParams base;
    private final boolean textAsChat;
    private final Listener listener;
    private final List<Call> calls = new ArrayList<>();
    private volatile boolean cancelled;
    private volatile Cancellable running;
    private volatile CompletableFuture<GenerationResult> waiting;

    /** @param seed the seed every call uses when the template names none; null for random */
    public EngineGenerator(ServedModel model, ServerMetrics metrics, Long seed) {
        this(model, metrics, SamplingParams.builder().seed(seed).build(), false, null);
    }

    /**
     * @param base       the sampling every call starts from; a call's settings override what they state
     * @param textAsChat send a text prompt as one user message through the model's chat template
     *                   (chat completions) instead of as raw text
     * @param listener   sees each call; null for none
     */
    public EngineGenerator(ServedModel model, ServerMetrics metrics, SamplingParams base, boolean textAsChat, Listener listener) {
        this.model = model;
        this.metrics = metrics;
        this.base = base;
        this.textAsChat = textAsChat;
        this.listener = listener == null ? NONE : listener;
    }

    @Override
    public String generate(Prompt prompt, GenerationSettings settings) {
        return generate(CallPart.OUTPUT, prompt, settings);
    }

    @Override
    public String generate(CallPart part, Prompt prompt, GenerationSettings settings) {
        if (cancelled) {
            throw new CancellationException("the run was cancelled");
        }
        SamplingParams sampling = settings.parameters().applyTo(base.toBuilder()).build();
        sampling.validate(model.model().config().vocabSize());
        Prompt sent = textAsChat && prompt instanceof Prompt.Text t ? Prompt.chat(List.of(ChatMessage.user(t.text()))) : prompt;
        int[] tokens;
        List<String> stops = new ArrayList<>(settings.stop());
        Set<Integer> ends = Set.of();
        if (sent instanceof Prompt.Chat chat) {
            List<dev.quill.chat.ChatMessage> messages = chat.messages().stream()
                    .map(m -> new dev.quill.chat.ChatMessage(m.role().id(), m.content())).toList();
            tokens = model.renderChat(messages, true).tokens();
            stops.addAll(model.chatStopStrings());
            ends = model.chatEndTokens();
        } else {
            tokens = model.tokenizer().encode(((Prompt.Text) sent).text(), true, false);
        }
        int room = model.contextLength() - tokens.length;
        if (room < 1) {
            throw new dev.quill.prompts.RenderLimitException("context", "the rendered prompt has " + tokens.length
                    + " tokens; model " + model.id() + " takes at most " + (model.contextLength() - 1));
        }
        int max = settings.maxTokens() == null ? DEFAULT_MAX_TOKENS : settings.maxTokens();
        ChoiceConstraint constraint = null;
        if (!settings.allowedAnswers().isEmpty()) {
            constraint = ChoiceConstraint.of(model.tokenizer(), settings.allowedAnswers());
            // A lower limit could cut an answer short, leaving a prefix that is none of the allowed ones.
            max = Math.max(max, constraint.maxTokens());
            if (constraint.maxTokens() > room) {
                throw new dev.quill.prompts.RenderLimitException("context", "the rendered prompt leaves " + room
                        + " tokens of model " + model.id() + "'s context; the longest allowed answer needs " + constraint.maxTokens());
            }
        }
        var request = new GenerationRequest(tokens, sampling, Math.min(max, room), stops, ends).withConstraint(constraint);
        GenerationResult result = await(part, sent, request);
        String output = result.text();
        calls.add(new Call(part, result));
        listener.onCallEnd(part, output, result);
        return output;
    }

    private GenerationResult await(CallPart part, Prompt sent, GenerationRequest request) {
        StringBuilder text = new StringBuilder();
        CompletableFuture<GenerationResult> done = new CompletableFuture<>();
        waiting = done;
        // Submits at once: a full queue throws here, before the call is announced.
        var events = GenerationSession.start(model, List.of(request), metrics);
        listener.onCallStart(part, sent);
        GenerationResult[] finished = new GenerationResult[1];
        running = events.subscribe().with(e -> {
            String piece = switch (e) {
                case GenerationEvent.Token t -> t.text();
                case GenerationEvent.Trailing t -> t.text();
                case GenerationEvent.Finished f -> {
                    finished[0] = f.result();
                    yield "";
                }
                default -> "";
            };
            if (!piece.isEmpty()) {
                text.append(piece);
                listener.onText(part, piece);
            }
        }, done::completeExceptionally, () -> {
            GenerationResult r = finished[0];
            if (r == null) {
                done.completeExceptionally(new CancellationException("the generation ended without a result"));
                return;
            }
            done.complete(new GenerationResult(text.toString(), r.promptTokens(), r.completionTokens(), r.finishReason(),
                    r.promptNanos(), r.generationNanos()));
        });
        if (cancelled) {
            running.cancel();
        }
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.cancel();
            throw new CancellationException("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Stops the running call at its next decoding step; this and every later call throw {@link CancellationException}. */
    public void cancel() {
        cancelled = true;
        Cancellable r = running;
        if (r != null) {
            r.cancel();
        }
        CompletableFuture<GenerationResult> w = waiting;
        if (w != null) {
            w.completeExceptionally(new CancellationException("the run was cancelled"));
        }
    }

    /** Every finished call so far, in order. */
    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** Prompt tokens summed over every call. */
    public int promptTokens() {
        return calls.stream().mapToInt(c -> c.result().promptTokens()).sum();
    }

    /** Generated tokens summed over every call. */
    public int completionTokens() {
        return calls.stream().mapToInt(c -> c.result().completionTokens()).sum();
    }
}
