package dev.quill.api.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quill.api.ApiErrors;
import dev.quill.engine.GenerationResult;
import dev.quill.prompts.CallPart;
import dev.quill.prompts.Prompt;
import dev.quill.prompts.cot.CotResult;
import dev.quill.prompts.cot.ReasoningStream;
import dev.quill.server.EngineGenerator;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * The chat completion of a chain of thought ({@code "quill": {"cot": ...}}): the final answer is
 * {@code message.content}, the reasoning {@code message.reasoning_content} (as DeepSeek's API and
 * llama.cpp's server return it), and {@code "quill"} reports each call's exact prompt and output.
 * Streaming sends {@code delta.reasoning_content} while the reasoning is generated, then the
 * answer as one {@code delta.content} once it is extracted and cleaned; the streamed pieces put
 * together equal the non-streaming fields. One instance per response.
 */
final class CotChatWriter implements EngineGenerator.Listener {
    private final ObjectMapper mapper;
    private final String id = "chatcmpl-" + java.util.UUID.randomUUID().toString().replace("-", "");
    private final long created = System.currentTimeMillis() / 1000;
    private final String model;
    private final boolean includeUsage;
    private final boolean stream;
    private final ReasoningStream reasoning;
    private final UnicastProcessor<String> frames = UnicastProcessor.create();
    private boolean started;
    private String finishReason = "stop";

    /** @param answerInReasoning the reasoning call goes on with "The answer is ..." (few-shot), which is held back */
    CotChatWriter(ObjectMapper mapper, String model, boolean includeUsage, boolean stream, boolean answerInReasoning) {
        this.mapper = mapper;
        this.model = model;
        this.includeUsage = includeUsage;
        this.stream = stream;
        this.reasoning = new ReasoningStream(answerInReasoning);
    }

    Multi<String> frames() {
        return frames;
    }

    @Override
    public void onCallStart(CallPart part, Prompt prompt) {
        if (stream && !started) {
            started = true;
            ObjectNode delta = mapper.createObjectNode().put("role", "assistant").put("content", "");
            emit(chunk(delta, null));
        }
    }

    @Override
    public void onText(CallPart part, String text) {
        if (stream && part.kind() == CallPart.Kind.REASONING) {
            String piece = reasoning.accept(text);
            if (!piece.isEmpty()) {
                emit(chunk(mapper.createObjectNode().put("reasoning_content", piece), null));
            }
        }
    }

    @Override
    public void onCallEnd(CallPart part, String output, GenerationResult result) {
        finishReason = result.finishReason().apiName();
    }

    /** The answer: cleaned per the format, or the raw answer text when it has none of the format. */
    static String answer(CotResult result) {
        return result.answer().orElse(result.rawAnswer().strip());
    }

    /** The whole (non-streaming) response. */
    String whole(CotResult result, Map<String, Object> report, EngineGenerator generator) {
        ObjectNode n = envelope("chat.completion");
        ObjectNode choice = n.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", answer(result));
        message.put("reasoning_content", result.reasoning());
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        n.set("usage", usage(generator));
        n.set("quill", mapper.valueToTree(report));
        return json(n);
    }

    /** The stream's end: the rest of the reasoning, the answer, the finish chunk (with the report), usage, [DONE]. */
    void finish(CotResult result, Map<String, Object> report, EngineGenerator generator) {
        String rest = reasoning.finish(result.reasoning());
        if (!rest.isEmpty()) {
            emit(chunk(mapper.createObjectNode().put("reasoning_content", rest), null));
        }
        emit(chunk(mapper.createObjectNode().put("content", answer(result)), null));
        ObjectNode last = chunk(mapper.createObjectNode(), finishReason);
        last.set("quill", mapper.valueToTree(report));
        emit(last);
        if (includeUsage) {
            ObjectNode u = envelope("chat.completion.chunk");
            u.putArray("choices");
            u.set("usage", usage(generator));
            emit(u);
        }
        frames.onNext(CompletionWriter.DONE);
        frames.onComplete();
    }

    /** A failure: an HTTP error before the first chunk, else an error frame that ends the stream. */
    void fail(Throwable t) {
        if (!started) {
            frames.onError(t);
            return;
        }
        if (!(t instanceof CancellationException)) {
            frames.onNext("data: " + json(mapper.valueToTree(ApiErrors.from(t).body())) + "\n\n");
        }
        frames.onComplete();
    }

    private ObjectNode chunk(ObjectNode delta, String finish) {
        ObjectNode n = envelope("chat.completion.chunk");
        ObjectNode choice = n.putArray("choices").addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        choice.put("finish_reason", finish);
        if (includeUsage) {
            n.putNull("usage");
        }
        return n;
    }

    private ObjectNode envelope(String object) {
        return CompletionWriter.envelope(mapper, id, object, created, model);
    }

    private ObjectNode usage(EngineGenerator generator) {
        ObjectNode u = mapper.createObjectNode();
        u.put("prompt_tokens", generator.promptTokens());
        u.put("completion_tokens", generator.completionTokens());
        u.put("total_tokens", generator.promptTokens() + generator.completionTokens());
        return u;
    }

    private void emit(ObjectNode n) {
        frames.onNext("data: " + json(n) + "\n\n");
    }

    private String json(Object n) {
        try {
            return mapper.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
