package dev.quill.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quill.api.ApiException;
import dev.quill.api.JsonRequest;
import dev.quill.chat.ChatMessage;
import dev.quill.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads OpenAI request bodies. Every parameter Quill implements is checked for type and range;
 * one it does not implement is refused with a 400 naming it, never silently ignored.
 */
public final class OpenAiRequests {
    static final int MAX_STOP_STRINGS = 16;

    /** Parameters of both endpoints. */
    private static final Set<String> COMMON = Set.of("model", "stream", "stream_options", "max_tokens", "temperature",
            "top_p", "seed", "stop", "presence_penalty", "frequency_penalty", "logprobs", "logit_bias", "user", "n",
            "top_k", "min_p", "repetition_penalty");
    private static final Set<String> CHAT = union(COMMON, Set.of("messages", "max_completion_tokens", "top_logprobs",
            "response_format", "store"));
    private static final Set<String> COMPLETION = union(COMMON, Set.of("prompt", "echo", "best_of", "suffix"));
    /** OpenAI parameters Quill knows but does not implement yet. */
    private static final Set<String> NOT_IMPLEMENTED = Set.of("tools", "tool_choice", "functions", "function_call",
            "parallel_tool_calls", "audio", "modalities", "prediction", "reasoning_effort", "service_tier", "metadata",
            "web_search_options", "verbosity", "stream_options.include_obfuscation");

    private OpenAiRequests() {
    }

    static ChatRequest chat(JsonRequest body) {
        body.allowOnly(CHAT, NOT_IMPLEMENTED);
        JsonNode format = body.get("response_format");
        if (format != null) {
            JsonRequest f = JsonRequest.nested(format, "response_format");
            String type = f.string("type");
            if (!"text".equals(type)) {
                throw ApiException.unsupported("response_format", "response_format of type " + type
                        + " is not supported by Quill; only {\"type\": \"text\"}");
            }
        }
        if (Boolean.TRUE.equals(body.bool("store"))) {
            throw ApiException.unsupported("store", "store is not supported by Quill: completions are not stored");
        }
        List<ChatMessage> messages = messages(body);
        Boolean logprobs = body.bool("logprobs");
        Integer topLogprobs = body.integer("top_logprobs");
        Integer maxTokens = body.integer("max_completion_tokens");
        String maxName = "max_completion_tokens";
        if (maxTokens == null) {
            maxTokens = body.integer("max_tokens");
            maxName = "max_tokens";
        }
        GenerationOptions options = common(body, maxTokens, maxName, Boolean.TRUE.equals(logprobs),
                topLogprobs == null ? 0 : topLogprobs);
        return new ChatRequest(messages, options);
    }

    static CompletionRequest completion(JsonRequest body) {
        body.allowOnly(COMPLETION, NOT_IMPLEMENTED);
        if (Boolean.TRUE.equals(body.bool("echo"))) {
            throw ApiException.unsupported("echo", "echo is not supported by Quill");
        }
        Integer bestOf = body.integer("best_of");
        if (bestOf != null && bestOf != 1) {
            throw ApiException.unsupported("best_of", "best_of must be 1: Quill generates one completion per prompt");
        }
        String suffix = body.string("suffix");
        if (suffix != null && !suffix.isEmpty()) {
            throw ApiException.unsupported("suffix", "suffix (fill-in-the-middle) is not supported by Quill");
        }
        JsonNode promptNode = body.get("prompt");
        if (promptNode == null) {
            throw body.missing("prompt", "a string or an array of strings");
        }
        if (!promptNode.isTextual() && !promptNode.isArray()) {
            throw body.wrongType("prompt", "a string or an array of strings", promptNode);
        }
        List<String> prompts = body.stringOrStrings("prompt");
        if (prompts.isEmpty()) {
            throw ApiException.invalid("prompt", "prompt must not be an empty array");
        }
        // Completions take logprobs as a count of alternatives (OpenAI: 0-5; Quill allows up to 20).
        Integer logprobs = body.integer("logprobs");
        GenerationOptions options = common(body, body.integer("max_tokens"), "max_tokens", logprobs != null,
                logprobs == null ? 0 : logprobs);
        return new CompletionRequest(prompts, options);
    }

    private static GenerationOptions common(JsonRequest body, Integer maxTokens, String maxName, boolean logprobs,
            int topLogprobs) {
        String model = body.string("model");
        Integer n = body.integer("n");
        if (n != null && n != 1) {
            throw ApiException.unsupported("n", "n must be 1: Quill generates one choice per request (got " + n + ")");
        }
        body.string("user"); // accepted: an end-user id for the caller's records, with no effect on output
        boolean stream = Boolean.TRUE.equals(body.bool("stream"));
        boolean includeUsage = false;
        JsonNode so = body.get("stream_options");
        if (so != null) {
            if (!stream) {
                throw ApiException.invalid("stream_options", "stream_options is only allowed when stream is true");
            }
            JsonRequest options = JsonRequest.nested(so, "stream_options");
            options.allowOnly(Set.of("include_usage"), Set.of("include_obfuscation"));
            includeUsage = Boolean.TRUE.equals(options.bool("include_usage"));
        }
        if (maxTokens != null && maxTokens < 1) {
            throw ApiException.invalid(maxName, maxName + " must be at least 1, got " + maxTokens);
        }
        if (topLogprobs < 0 || topLogprobs > SamplingParams.MAX_TOP_LOGPROBS) {
            String name = body.isPresent("top_logprobs") ? "top_logprobs" : "logprobs";
            throw ApiException.invalid(name, name + " must be in [0, " + SamplingParams.MAX_TOP_LOGPROBS + "], got " + topLogprobs);
        }
        SamplingParams.Builder b = SamplingParams.builder();
        Float f;
        if ((f = body.number("temperature")) != null) {
            b.temperature(f);
        }
        if ((f = body.number("top_p")) != null) {
            b.topP(f);
        }
        if ((f = body.number("min_p")) != null) {
            b.minP(f);
        }
        if ((f = body.number("presence_penalty")) != null) {
            b.presencePenalty(f);
        }
        if ((f = body.number("frequency_penalty")) != null) {
            b.frequencyPenalty(f);
        }
        if ((f = body.number("repetition_penalty")) != null) {
            b.repetitionPenalty(f);
        }
        Integer topK = body.integer("top_k");
        if (topK != null) {
            b.topK(topK);
        }
        b.seed(body.longValue("seed"));
        b.logitBias(logitBias(body));
        b.logprobs(logprobs).topLogprobs(topLogprobs);
        SamplingParams sampling = b.build();
        // Ranges that do not depend on the model; logit_bias token ids are checked against its vocabulary later.
        sampling.validate(Integer.MAX_VALUE);
        return new GenerationOptions(model, sampling, maxTokens, stops(body), stream, includeUsage);
    }

    private static List<String> stops(JsonRequest body) {
        List<String> stop = body.stringOrStrings("stop");
        if (stop == null) {
            return List.of();
        }
        if (stop.size() > MAX_STOP_STRINGS) {
            throw ApiException.invalid("stop", "stop takes at most " + MAX_STOP_STRINGS + " strings, got " + stop.size());
        }
        for (String s : stop) {
            if (s.isEmpty()) {
                throw ApiException.invalid("stop", "stop strings must not be empty");
            }
        }
        return stop;
    }

    /** OpenAI's object form: token id (a string of digits) to a bias in [-100, 100]. */
    private static Map<Integer, Float> logitBias(JsonRequest body) {
        JsonNode v = body.get("logit_bias");
        if (v == null) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw body.wrongType("logit_bias", "an object mapping token ids to biases", v);
        }
        Map<Integer, Float> out = new LinkedHashMap<>();
        for (var e : v.properties()) {
            int token;
            try {
                token = Integer.parseInt(e.getKey().strip());
            } catch (NumberFormatException ex) {
                throw ApiException.invalid("logit_bias", "logit_bias keys must be token ids (integers), got \"" + e.getKey() + "\"");
            }
            if (!e.getValue().isNumber()) {
                throw ApiException.invalid("logit_bias", "logit_bias[\"" + e.getKey() + "\"] must be a number, got "
                        + JsonRequest.typeName(e.getValue()));
            }
            out.put(token, e.getValue().floatValue());
        }
        return out;
    }

    /** The {@code messages} array of a chat request, checked: roles, and content as a string or text parts. */
    public static List<ChatMessage> messages(JsonRequest body) {
        JsonNode v = body.get("messages");
        if (v == null) {
            throw body.missing("messages", "an array of messages");
        }
        if (!v.isArray()) {
            throw body.wrongType("messages", "an array of messages", v);
        }
        if (v.isEmpty()) {
            throw ApiException.invalid("messages", "messages must contain at least one message");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            String path = "messages[" + i + "]";
            JsonRequest m = JsonRequest.nested(v.get(i), path);
            m.allowOnly(Set.of("role", "content"), Set.of("name", "tool_calls", "tool_call_id", "function_call", "audio",
                    "refusal"));
            String role = m.requiredString("role");
            role = switch (role) {
                case "system", "user", "assistant" -> role;
                case "developer" -> "system"; // OpenAI's newer name for the system role
                case "tool", "function" -> throw ApiException.unsupported(path + ".role",
                        path + ".role '" + role + "' is not supported by Quill (no tool calling)");
                default -> throw ApiException.invalid(path + ".role", path + ".role must be one of system, developer, "
                        + "user, assistant; got '" + role + "'");
            };
            out.add(new ChatMessage(role, content(m, path, role)));
        }
        return out;
    }

    private static String content(JsonRequest m, String path, String role) {
        JsonNode c = m.get("content");
        if (c == null) {
            if (role.equals("assistant")) {
                return "";
            }
            throw m.missing("content", "a string or an array of text parts");
        }
        if (c.isTextual()) {
            return c.textValue();
        }
        if (!c.isArray()) {
            throw m.wrongType("content", "a string or an array of text parts", c);
        }
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < c.size(); j++) {
            String partPath = path + ".content[" + j + "]";
            JsonRequest part = JsonRequest.nested(c.get(j), partPath);
            String type = part.requiredString("type");
            if (!type.equals("text")) {
                throw ApiException.unsupported(partPath + ".type", "content parts of type '" + type
                        + "' are not supported by Quill; only 'text'");
            }
            part.allowOnly(Set.of("type", "text"), Set.of());
            sb.append(part.requiredString("text"));
        }
        return sb.toString();
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new HashSet<>(a);
        s.addAll(b);
        return Set.copyOf(s);
    }
}
