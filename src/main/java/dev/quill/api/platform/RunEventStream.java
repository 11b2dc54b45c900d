package dev.quill.api.platform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quill.api.ApiErrors;
import dev.quill.engine.GenerationResult;
import dev.quill.prompts.CallPart;
import dev.quill.prompts.CotMode;
import dev.quill.prompts.Prompt;
import dev.quill.server.EngineGenerator;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * The server-sent events of a streamed run ({@code POST /api/prompts/{name}/run} with
 * {@code "stream": true}). Each frame is {@code event: TYPE\ndata: {"type": TYPE, ...}\n\n}:
 * <ul>
 *   <li>{@code run.start}: the template, version, model, rules, cot and persona (the head of the
 *       non-streaming response), sent once the first call has been queued;</li>
 *   <li>{@code part.start}, {@code part.delta} ({@code text}), {@code part.end}: one part per model
 *       call, numbered from 0 by {@code index}, with its {@code kind} ({@code step}, {@code output},
 *       {@code reasoning}, {@code answer}) and {@code name}; the start carries the exact prompt, the
 *       end the whole output, finish reason and token counts, and for an answer the cleaned answer.
 *       In the one-call chain-of-thought modes the answer is read from the reasoning: it gets an
 *       answer part of its own ({@code "from": "reasoning"}) after the reasoning part;</li>
 *   <li>{@code run.end}: the whole result, exactly the non-streaming response body (reasoning and
 *       answer separately, every call, usage), then the stream ends;</li>
 *   <li>{@code error}: {@code {"type": "error", "error": {...}}} in the OpenAI error shape, when
 *       the run fails after the stream began; the stream ends after it.</li>
 * </ul>
 * A failure before {@code run.start} (a full queue, a prompt too long for the context) is an HTTP
 * error instead. Events come in order; the listener calls arrive one after another.
 */
final class RunEventStream implements EngineGenerator.Listener {
    private final ObjectMapper mapper;
    private final Map<String, Object> head;
    private final CotMode cot;
    private final UnicastProcessor<String> frames = UnicastProcessor.create();
    private boolean started;
    private int index = -1;
    private int steps;
    /** An answer call's end waits for the cleaned answer, known only when the run is over. */
    private Map<String, Object> pendingAnswerEnd;

    RunEventStream(ObjectMapper mapper, Map<String, Object> head, CotMode cot) {
        this.mapper = mapper;
        this.head = head;
        this.cot = cot;
    }

    Multi<String> frames() {
        return frames;
    }

    @Override
    public void onCallStart(CallPart part, Prompt prompt) {
        begin();
        index++;
        Map<String, Object> m = part(part);
        if (part.kind() == CallPart.Kind.STEP) {
            m.put("step", ++steps);
        }
        m.put("prompt", PromptWorkbench.prompt(prompt, null));
        emit("part.start", m);
    }

    @Override
    public void onText(CallPart part, String text) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", index);
        m.put("text", text);
        emit("part.delta", m);
    }

    @Override
    public void onCallEnd(CallPart part, String output, GenerationResult result) {
        Map<String, Object> m = part(part);
        m.put("output", output);
        m.put("finish_reason", result.finishReason().apiName());
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("prompt_tokens", result.promptTokens());
        usage.put("completion_tokens", result.completionTokens());
        m.put("usage", usage);
        if (part.kind() == CallPart.Kind.ANSWER && cot != CotMode.OFF) {
            pendingAnswerEnd = m;
        } else {
            emit("part.end", m);
        }
    }

    /** The run is over: the answer part (when there is one), then the summary; the stream ends. */
    void finish(Map<String, Object> summary) {
        begin();
        Object answer = summary.get("answer");
        if (pendingAnswerEnd != null) {
            pendingAnswerEnd.put("answer", answer);
            emit("part.end", pendingAnswerEnd);
        } else if (cot == CotMode.ZERO_SHOT || cot == CotMode.FEW_SHOT) {
            index++;
            Map<String, Object> start = part(CallPart.ANSWER);
            start.put("from", "reasoning");
            emit("part.start", start);
            if (answer != null) {
                Map<String, Object> delta = new LinkedHashMap<>();
                delta.put("index", index);
                delta.put("text", answer);
                emit("part.delta", delta);
            }
            Map<String, Object> end = part(CallPart.ANSWER);
            end.put("from", "reasoning");
            end.put("output", summary.get("output"));
            end.put("answer", answer);
            emit("part.end", end);
        }
        emit("run.end", summary);
        frames.onComplete();
    }

    /** The run failed: an HTTP error when nothing was sent yet, else an error event ending the stream. */
    void fail(Throwable t) {
        if (!started) {
            frames.onError(t);
            return;
        }
        if (!(t instanceof CancellationException)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("error", ApiErrors.from(t).body().error());
            emit("error", m);
        }
        frames.onComplete();
    }

    private void begin() {
        if (!started) {
            started = true;
            emit("run.start", head);
        }
    }

    private Map<String, Object> part(CallPart part) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", index);
        m.put("kind", part.kind().id());
        m.put("name", part.name());
        return m;
    }

    private void emit(String type, Map<String, Object> data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.putAll(data);
        try {
            frames.onNext("event: " + type + "\ndata: " + mapper.writeValueAsString(m) + "\n\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
