package dev.quill.api.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quill.api.platform.PromptWorkbench;
import jakarta.enterprise.inject.Instance;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quill.api.ApiException;
import dev.quill.api.JsonRequest;
import dev.quill.engine.GenerationRequest;
import dev.quill.engine.ServedModel;
import dev.quill.prompts.constrain.ChoiceConstraint;
import dev.quill.prompts.cot.CotResult;
import dev.quill.sampling.TokenConstraint;
import dev.quill.server.EngineGenerator;
import dev.quill.server.GenerationEvent;
import dev.quill.server.GenerationSession;
import dev.quill.server.ModelService;
import dev.quill.server.ServerMetrics;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * Serves chat and text completions: checks the request, prepares the prompt (template and
 * tokens) on the calling worker thread, queues the generation on the model's engine thread, and
 * streams or collects the result. Anything wrong before generation starts is thrown as an
 * {@link ApiException} (or an engine exception {@link dev.quill.api.ApiErrors} knows), so the
 * client gets a proper status instead of a broken stream.
 */
@ApplicationScoped
public class CompletionService {
    private final ModelService models;
    private final ObjectMapper mapper;
    private final ServerMetrics metrics;

    private final Instance<PromptWorkbench> workbench;

    public CompletionService(ModelService models, ObjectMapper mapper, ServerMetrics metrics, Instance<PromptWorkbench> workbench) {
        this.workbench = workbench;
        this.models = models;
        this.mapper = mapper;
        this.metrics = metrics;
    }

    public RestMulti<String> chat(String body) {
        JsonRequest parsed = JsonRequest.parse(mapper, body);
        PromptWorkbench.ChatExpansion expansion = null;
        if (parsed.isPresent("quill")) {
            // A stored template instead of raw messages: rewritten into a plain request, then checked as one.
            expansion = workbench.get().expandChatRequest((ObjectNode) parsed.node());
            parsed = JsonRequest.parse(mapper, expansion.request().toString());
        }
        ChatRequest request = OpenAiRequests.chat(parsed);
        ServedModel model = acquire(request.options());
        if (expansion != null && expansion.cot() != null) {
            return chainOfThought(model, request.options(), expansion.cot());
        }
        int[] prompt = model.renderChat(request.messages(), true).tokens();
        List<String> stops = new ArrayList<>(request.options().stop());
        stops.addAll(model.chatStopStrings());
        // The template's restrain rule names the only answers: decode so that nothing else can come out.
        TokenConstraint constraint = expansion == null || expansion.allowedAnswers().isEmpty() ? null
                : ChoiceConstraint.of(model.tokenizer(), expansion.allowedAnswers());
        return run(model, List.of(prompt), request.options(), stops, model.chatEndTokens(), true, "messages", constraint);
    }

    /** A chain of thought on chat completions: several calls, the reasoning and the answer returned apart. */
    private RestMulti<String> chainOfThought(ServedModel model, GenerationOptions o, PromptWorkbench.ChatCot cot) {
        if (o.sampling().logprobs()) {
            throw ApiException.unsupported("logprobs", "logprobs are not available with quill.cot: the reply is put together"
                    + " from several model calls");
        }
        CotChatWriter writer = new CotChatWriter(mapper, model.id(), o.includeUsage(), o.stream(), cot.answerInReasoning());
        EngineGenerator generator = new EngineGenerator(model, metrics, o.sampling(), true, writer);
        if (!o.stream()) {
            CotResult result = cot.run(generator, o.maxTokens(), o.stop());
            String whole = writer.whole(result, cot.report(result), generator);
            return RestMulti.fromMultiData(Multi.createFrom().item(whole)).header("Content-Type", "application/json").build();
        }
        Thread.ofVirtual().name("quill-chat-cot").start(() -> {
            CotResult result;
            try {
                result = cot.run(generator, o.maxTokens(), o.stop());
            } catch (Throwable t) {
                writer.fail(t);
                return;
            }
            writer.finish(result, cot.report(result), generator);
        });
        return RestMulti.fromMultiData(writer.frames().onCancellation().invoke(generator::cancel))
                .header("Content-Type", "text/event-stream")
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .build();
    }

    public RestMulti<String> completion(String body) {
        CompletionRequest request = OpenAiRequests.completion(JsonRequest.parse(mapper, body));
        ServedModel model = acquire(request.options());
        List<int[]> prompts = new ArrayList<>();
        for (String p : request.prompts()) {
            prompts.add(model.tokenizer().encode(p, true, false));
        }
        return run(model, prompts, request.options(), request.options().stop(), Set.of(), false, "prompt", null);
    }

    private ServedModel acquire(GenerationOptions options) {
        ServedModel model = models.registry().acquire(options.model());
        metrics.watchQueue(model.id(), model.worker());
        options.sampling().validate(model.model().config().vocabSize());
        return model;
    }

    private RestMulti<String> run(ServedModel model, List<int[]> prompts, GenerationOptions o, List<String> stops,
            Set<Integer> endTokens, boolean chat, String promptParam, TokenConstraint constraint) {
        int context = model.contextLength();
        List<GenerationRequest> requests = new ArrayList<>();
        for (int[] prompt : prompts) {
            if (prompt.length == 0) {
                throw ApiException.invalid(promptParam, promptParam + " is empty: at least one token is needed");
            }
            if (prompt.length >= context) {
                throw new ApiException(400, "invalid_request_error", promptParam, "context_length_exceeded",
                        "This model's maximum context length is " + context + " tokens, but your " + promptParam
                                + " resulted in " + prompt.length + " tokens; at least one token must remain for the"
                                + " completion. Shorten the " + promptParam + " (or raise quill.context-length).");
            }
            // A limit past the end of the context is clipped: the reply then ends with finish_reason "length".
            int maxTokens = o.maxTokens() == null ? -1 : Math.min(o.maxTokens(), context - prompt.length);
            if (constraint instanceof ChoiceConstraint choice && maxTokens != -1) {
                // Never cut an allowed answer short: that would leave a prefix that is none of them.
                maxTokens = Math.min(Math.max(maxTokens, choice.maxTokens()), context - prompt.length);
            }
            requests.add(new GenerationRequest(prompt, o.sampling(), maxTokens, stops, endTokens).withConstraint(constraint));
        }
        CompletionWriter writer = new CompletionWriter(mapper, model.tokenizer(), chat, model.id(), o.includeUsage(),
                o.sampling().logprobs());
        Multi<GenerationEvent> events = GenerationSession.start(model, requests, metrics, models.streamBufferEvents());
        if (!o.stream()) {
            Multi<String> whole = events.collect().asList().map(list -> {
                list.forEach(writer::collect);
                return writer.whole();
            }).toMulti();
            return RestMulti.fromMultiData(whole).header("Content-Type", "application/json").build();
        }
        AtomicBoolean started = new AtomicBoolean();
        Multi<String> frames = events.onItem().transformToIterable(writer::frames)
                .onCompletion().switchTo(() -> Multi.createFrom().iterable(writer.closingFrames()))
                .onItem().invoke(() -> started.set(true))
                // Before the first frame the status line is still unsent: let the failure become an HTTP error.
                .onFailure().recoverWithMulti(t -> started.get()
                        ? Multi.createFrom().item(writer.errorFrame(t))
                        : Multi.createFrom().failure(t));
        return RestMulti.fromMultiData(frames)
                .header("Content-Type", "text/event-stream")
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .build();
    }
}
