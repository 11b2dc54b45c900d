package dev.quill.api.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quill.api.ApiException;
import dev.quill.api.JsonRequest;
import dev.quill.api.openai.OpenAiRequests;
import dev.quill.engine.ServedModel;
import dev.quill.server.ModelService;
import dev.quill.tokenizer.Tokenizer;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A model's tokenizer and chat template over HTTP: what the tokenizer inspector and the prompt
 * workbench show. Runs on worker threads (the default for these blocking methods).
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class TokenizerResource {
    private final ModelService models;
    private final ObjectMapper mapper;

    public TokenizerResource(ModelService models, ObjectMapper mapper) {
        this.models = models;
        this.mapper = mapper;
    }

    /**
     * One token: its id, its vocabulary string ({@code ▁Hello}, {@code ĠHello}), the text its bytes
     * read as, and where those bytes lie in the concatenated bytes of all tokens ({@code [start, end)}).
     */
    public record TokenSpan(int id, String piece, String text, int start, int end) {
    }

    public record TokenizeResponse(String model, List<Integer> ids, List<TokenSpan> tokens) {
    }

    public record DetokenizeResponse(String model, String content) {
    }

    public record RenderResponse(String model, String prompt, List<Integer> tokens) {
    }

    @POST
    @Path("/tokenize")
    public TokenizeResponse tokenize(String body) {
        JsonRequest req = JsonRequest.parse(mapper, body);
        req.allowOnly(Set.of("model", "content", "add_special", "parse_special"), Set.of());
        ServedModel model = models.registry().acquire(req.string("model"));
        String content = req.string("content");
        if (content == null) {
            throw req.missing("content", "the text to tokenize");
        }
        Boolean addSpecial = req.bool("add_special");
        Boolean parseSpecial = req.bool("parse_special");
        Tokenizer tokenizer = model.tokenizer();
        int[] ids = tokenizer.encode(content, addSpecial == null || addSpecial, parseSpecial != null && parseSpecial);
        List<TokenSpan> spans = new ArrayList<>(ids.length);
        int offset = 0;
        for (int id : ids) {
            byte[] bytes = tokenizer.tokenBytes(id);
            spans.add(new TokenSpan(id, tokenizer.tokenText(id), new String(bytes, StandardCharsets.UTF_8), offset,
                    offset + bytes.length));
            offset += bytes.length;
        }
        return new TokenizeResponse(model.id(), toList(ids), spans);
    }

    @POST
    @Path("/detokenize")
    public DetokenizeResponse detokenize(String body) {
        JsonRequest req = JsonRequest.parse(mapper, body);
        req.allowOnly(Set.of("model", "tokens"), Set.of());
        ServedModel model = models.registry().acquire(req.string("model"));
        JsonNode tokens = req.get("tokens");
        if (tokens == null) {
            throw req.missing("tokens", "an array of token ids");
        }
        if (!tokens.isArray()) {
            throw req.wrongType("tokens", "an array of token ids", tokens);
        }
        int vocab = model.tokenizer().vocabSize();
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = tokens.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt() || t.intValue() < 0 || t.intValue() >= vocab) {
                throw ApiException.invalid("tokens", "tokens[" + i + "] must be a token id in [0, " + (vocab - 1)
                        + "], got " + t);
            }
            ids[i] = t.intValue();
        }
        return new DetokenizeResponse(model.id(), model.tokenizer().detokenize(ids, false, true));
    }

    /** The exact prompt a model's chat template makes of the messages, and its tokens (llama.cpp's /apply-template). */
    @POST
    @Path("/chat/render")
    public RenderResponse render(String body) {
        JsonRequest req = JsonRequest.parse(mapper, body);
        req.allowOnly(Set.of("model", "messages", "add_generation_prompt"), Set.of());
        var messages = OpenAiRequests.messages(req);
        Boolean addGenerationPrompt = req.bool("add_generation_prompt");
        ServedModel model = models.registry().acquire(req.string("model"));
        var prompt = model.renderChat(messages, addGenerationPrompt == null || addGenerationPrompt);
        return new RenderResponse(model.id(), prompt.text(), toList(prompt.tokens()));
    }

    private static List<Integer> toList(int[] ids) {
        List<Integer> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(id);
        }
        return out;
    }
}
