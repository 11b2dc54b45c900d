package dev.quill.api.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quill.api.ApiErrors;
import dev.quill.engine.GenerationResult;
import dev.quill.server.GenerationEvent;
import dev.quill.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes one response of /v1/chat/completions or /v1/completions from generation events, in
 * OpenAI's exact shapes: a whole JSON object, or SSE frames {@code data: {json}\n\n} ending with
 * {@code data: [DONE]}. Every chunk carries the same id, created and model.
 *
 * <p>One instance per response; events arrive in order on one thread at a time.
 */
final class CompletionWriter {
    static final String DONE = "data: [DONE]\n\n";
    static final String SYSTEM_FINGERPRINT = "quill";

    private final ObjectMapper mapper;
    private final Tokenizer tokenizer;
    private final boolean chat;
    private final String id;
    private final long created;
    private final String model;
    private final boolean includeUsage;
    private final boolean logprobs;
    private final Map<Integer, Choice> choices = new TreeMap<>();
    private int promptTokens;
    private int completionTokens;
    private int cachedTokens;

    /** What has been generated for one choice so far. */
    private static final class Choice {
        final StringBuilder text = new StringBuilder();
        final List<GenerationEvent.TokenLogprob> logprobs = new ArrayList<>();
        /** Logprobs of tokens whose text is still held back, sent with the next content chunk. */
        final List<GenerationEvent.TokenLogprob> pendingLogprobs = new ArrayList<>();
        final List<Integer> textOffsets = new ArrayList<>();
        String finishReason;
    }

    CompletionWriter(ObjectMapper mapper, Tokenizer tokenizer, boolean chat, String model, boolean includeUsage,
            boolean logprobs) {
        this.mapper = mapper;
        this.tokenizer = tokenizer;
        this.chat = chat;
        this.id = (chat ? "chatcmpl-" : "cmpl-") + java.util.UUID.randomUUID().toString().replace("-", "");
        this.created = System.currentTimeMillis() / 1000;
        this.model = model;
        this.includeUsage = includeUsage;
        this.logprobs = logprobs;
    }

    /** The SSE frames an event produces (possibly none). */
    List<String> frames(GenerationEvent event) {
        Choice c = choices.computeIfAbsent(event.choice(), i -> new Choice());
        return switch (event) {
            case GenerationEvent.Started s -> chat && s.choice() == 0
                    ? List.of(frame(chunk(s.choice(), delta(true, ""), null, null)))
                    : List.of();
            case GenerationEvent.Token t -> {
                record(c, t);
                if (t.text().isEmpty()) {
                    yield List.of();
                }
                yield List.of(contentFrame(t.choice(), c, t.text()));
            }
            case GenerationEvent.Trailing t -> {
                c.text.append(t.text());
                yield List.of(contentFrame(t.choice(), c, t.text()));
            }
            case GenerationEvent.Finished f -> {
                finish(c, f.result());
                List<String> out = new ArrayList<>();
                if (!c.pendingLogprobs.isEmpty()) {
                    out.add(contentFrame(f.choice(), c, ""));
                }
                out.add(frame(chunk(f.choice(), chat ? mapper.createObjectNode() : null, null, c.finishReason)));
                yield out;
            }
        };
    }

    /** The frames after the last event: usage when asked for, then [DONE]. */
    List<String> closingFrames() {
        List<String> out = new ArrayList<>();
        if (includeUsage) {
            ObjectNode n = envelope(chat ? "chat.completion.chunk" : "text_completion");
            n.putArray("choices");
            n.set("usage", usage());
            out.add(frame(n));
        }
        out.add(DONE);
        return out;
    }

    /** The frame reporting a failure after streaming began; the stream ends after it. */
    String errorFrame(Throwable t) {
        return "data: " + json(mapper.valueToTree(ApiErrors.from(t).body())) + "\n\n";
    }

    /** Folds an event into the whole (non-streaming) response. */
    void collect(GenerationEvent event) {
        Choice c = choices.computeIfAbsent(event.choice(), i -> new Choice());
        switch (event) {
            case GenerationEvent.Started s -> { }
            case GenerationEvent.Token t -> record(c, t);
            case GenerationEvent.Trailing t -> c.text.append(t.text());
            case GenerationEvent.Finished f -> finish(c, f.result());
        }
    }

    /** The whole response after {@link #collect}ing every event. */
    String whole() {
        ObjectNode n = envelope(chat ? "chat.completion" : "text_completion");
        ArrayNode arr = n.putArray("choices");
        for (var e : choices.entrySet()) {
            Choice c = e.getValue();
            ObjectNode choice = arr.addObject();
            choice.put("index", e.getKey());
            if (chat) {
                ObjectNode message = choice.putObject("message");
                message.put("role", "assistant");
                message.put("content", c.text.toString());
                message.putNull("refusal");
                choice.set("logprobs", logprobs ? chatLogprobs(c.logprobs) : null);
            } else {
                choice.put("text", c.text.toString());
                choice.set("logprobs", logprobs ? completionLogprobs(c.logprobs, c.textOffsets) : null);
            }
            choice.put("finish_reason", c.finishReason);
        }
        n.set("usage", usage());
        return json(n);
    }

    private void record(Choice c, GenerationEvent.Token t) {
        if (t.logprob() != null) {
            c.logprobs.add(t.logprob());
            c.pendingLogprobs.add(t.logprob());
            c.textOffsets.add(c.text.length());
        }
        c.text.append(t.text());
    }

    private void finish(Choice c, GenerationResult result) {
        c.finishReason = result.finishReason().apiName();
        promptTokens += result.promptTokens();
        completionTokens += result.completionTokens();
        cachedTokens += result.cachedTokens();
    }

    private String contentFrame(int index, Choice c, String text) {
        ObjectNode lp = null;
        if (logprobs) {
            List<GenerationEvent.TokenLogprob> pending = List.copyOf(c.pendingLogprobs);
            lp = chat ? chatLogprobs(pending) : completionLogprobs(pending, offsetsOfPending(c));
            c.pendingLogprobs.clear();
        }
        if (chat) {
            return frame(chunk(index, delta(false, text), lp, null));
        }
        ObjectNode n = chunk(index, null, lp, null);
        ((ObjectNode) n.get("choices").get(0)).put("text", text);
        return frame(n);
    }

    private List<Integer> offsetsOfPending(Choice c) {
        int n = c.pendingLogprobs.size();
        return c.textOffsets.subList(c.textOffsets.size() - n, c.textOffsets.size());
    }

    private ObjectNode delta(boolean role, String content) {
        ObjectNode d = mapper.createObjectNode();
        if (role) {
            d.put("role", "assistant");
        }
        d.put("content", content);
        return d;
    }

    private ObjectNode chunk(int index, ObjectNode delta, ObjectNode logprobsNode, String finishReason) {
        ObjectNode n = envelope(chat ? "chat.completion.chunk" : "text_completion");
        ObjectNode choice = n.putArray("choices").addObject();
        choice.put("index", index);
        if (chat) {
            choice.set("delta", delta);
        } else {
            choice.put("text", "");
        }
        choice.set("logprobs", logprobsNode);
        choice.put("finish_reason", finishReason);
        if (includeUsage) {
            n.putNull("usage");
        }
        return n;
    }

    private ObjectNode envelope(String object) {
        return envelope(mapper, id, object, created, model);
    }

    /** The fields every completion object and chunk starts with. */
    static ObjectNode envelope(ObjectMapper mapper, String id, String object, long created, String model) {
        ObjectNode n = mapper.createObjectNode();
        n.put("id", id);
        n.put("object", object);
        n.put("created", created);
        n.put("model", model);
        n.put("system_fingerprint", SYSTEM_FINGERPRINT);
        return n;
    }

    private ObjectNode usage() {
        ObjectNode u = mapper.createObjectNode();
        u.put("prompt_tokens", promptTokens);
        u.put("completion_tokens", completionTokens);
        u.put("total_tokens", promptTokens + completionTokens);
        // As OpenAI reports prompt caching: prompt tokens whose KV came from the prefix cache.
        u.putObject("prompt_tokens_details").put("cached_tokens", cachedTokens);
        return u;
    }

    private ObjectNode chatLogprobs(List<GenerationEvent.TokenLogprob> entries) {
        ObjectNode n = mapper.createObjectNode();
        ArrayNode content = n.putArray("content");
        for (var e : entries) {
            ObjectNode item = tokenEntry(e.token(), e.logprob());
            ArrayNode top = item.putArray("top_logprobs");
            for (int i = 0; i < e.topTokens().length; i++) {
                top.add(tokenEntry(e.topTokens()[i], e.topLogprobs()[i]));
            }
            content.add(item);
        }
        n.putNull("refusal");
        return n;
    }

    private ObjectNode tokenEntry(int token, float logprob) {
        byte[] bytes = tokenizer.tokenBytes(token);
        ObjectNode item = mapper.createObjectNode();
        item.put("token", new String(bytes, StandardCharsets.UTF_8));
        item.put("logprob", logprob);
        ArrayNode b = item.putArray("bytes");
        for (byte x : bytes) {
            b.add(x & 0xff);
        }
        return item;
    }

    private ObjectNode completionLogprobs(List<GenerationEvent.TokenLogprob> entries, List<Integer> offsets) {
        ObjectNode n = mapper.createObjectNode();
        ArrayNode tokens = n.putArray("tokens");
        ArrayNode values = n.putArray("token_logprobs");
        ArrayNode tops = n.putArray("top_logprobs");
        ArrayNode textOffsets = n.putArray("text_offset");
        for (int k = 0; k < entries.size(); k++) {
            var e = entries.get(k);
            tokens.add(new String(tokenizer.tokenBytes(e.token()), StandardCharsets.UTF_8));
            values.add(e.logprob());
            ObjectNode top = tops.addObject();
            for (int i = 0; i < e.topTokens().length; i++) {
                top.put(new String(tokenizer.tokenBytes(e.topTokens()[i]), StandardCharsets.UTF_8), e.topLogprobs()[i]);
            }
            textOffsets.add(offsets.get(k));
        }
        return n;
    }

    private String frame(ObjectNode n) {
        return "data: " + json(n) + "\n\n";
    }

    private String json(Object n) {
        try {
            return mapper.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }
}
