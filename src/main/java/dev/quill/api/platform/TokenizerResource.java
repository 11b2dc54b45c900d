package dev.quill.api.platform;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quill.api.ApiException;
import dev.quill.api.JsonRequest;
import dev.quill.api.openai.OpenAiRequests;
import dev.quill.engine.ServedModel;
import dev.quill.engine.TokenizerCatalog;
import dev.quill.server.ModelService;
import dev.quill.server.TokenizerService;
import dev.quill.tokenizer.TokenType;
import dev.quill.tokenizer.Tokenizer;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A model's tokenizer and chat template over HTTP: what the tokenizer inspector and the prompt
 * workbench show. {@code /api/tokenize} also takes any tokenizer of {@code /api/tokenizers} by
 * name: the reference tokenizers shipped with Quill, vocabulary files, models' (without loading
 * their weights). Runs on worker threads (the default for these blocking methods).
 */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class TokenizerResource {
    private final ModelService models;
    private final TokenizerService tokenizerService;
    private final ObjectMapper mapper;

    public TokenizerResource(ModelService models, TokenizerService tokenizerService, ObjectMapper mapper) {
        this.models = models;
        this.tokenizerService = tokenizerService;
        this.mapper = mapper;
    }

    /**
     * One token: its id, its vocabulary string ({@code ▁Hello}, {@code ĠHello}, {@code <0x0A>}), the
     * text its bytes read as, and where those bytes lie in the concatenated bytes of all tokens
     * ({@code [start, end)}); its type; {@code byte_fallback} for SentencePiece byte tokens; its
     * bytes; and whether those bytes are whole UTF-8 characters on their own ({@code utf8} false
     * for a piece of a character, which the inspector shows as bytes).
     */
    public record TokenSpan(int id, String piece, String text, int start, int end, String type,
                            @JsonProperty("byte_fallback") boolean byteFallback, List<Integer> bytes, boolean utf8) {
    }

    /**
     * @param model     the model whose tokenizer this is; null for a reference tokenizer or a vocabulary file
     * @param tokenizer the tokenizer's id in {@code GET /api/tokenizers}
     * @param charCount Unicode code points of the content
     */
    public record TokenizeResponse(String model, String tokenizer, String source,
                                   @JsonProperty("vocab_size") int vocabSize,
                                   @JsonProperty("token_count") int tokenCount,
                                   @JsonProperty("char_count") int charCount,
                                   @JsonProperty("byte_count") int byteCount,
                                   List<Integer> ids, List<TokenSpan> tokens) {
    }

    public record TokenizerInfo(String id, String source, String label, String error) {
    }

    public record TokenizerList(String object, @JsonProperty("default") String defaultId, List<TokenizerInfo> data) {
    }

    public record DetokenizeResponse(String model, String content) {
    }

    public record RenderResponse(String model, String prompt, List<Integer> tokens) {
    }

    /** Every tokenizer {@code /api/tokenize} takes as {@code tokenizer}: models', vocabulary files', the references. */
    @GET
    @Path("/tokenizers")
    public TokenizerList tokenizers() {
        List<TokenizerInfo> data = tokenizerService.catalog().list().stream()
                .map(e -> new TokenizerInfo(e.id(), source(e.source()), e.label(), e.error())).toList();
        String def = models.registry().defaultModelId().filter(id -> data.stream().anyMatch(d -> d.id().equals(id)))
                .orElse(data.isEmpty() ? null : data.getFirst().id());
        return new TokenizerList("list", def, data);
    }

    @POST
    @Path("/tokenize")
    public TokenizeResponse tokenize(String body) {
        JsonRequest req = JsonRequest.parse(mapper, body);
        req.allowOnly(Set.of("model", "tokenizer", "content", "add_special", "parse_special"), Set.of());
        String content = req.string("content");
        if (content == null) {
            throw req.missing("content", "the text to tokenize");
        }
        int max = tokenizerService.maxChars();
        if (content.length() > max) {
            throw new ApiException(413, "invalid_request_error", "content", "content_too_long", "content has "
                    + content.length() + " characters, more than the limit of " + max + " (quill.tokenize-max-chars)");
        }
        Boolean addSpecial = req.bool("add_special");
        Boolean parseSpecial = req.bool("parse_special");
        String modelId;
        String tokenizerId;
        String source;
        Tokenizer tokenizer;
        String name = req.string("tokenizer");
        if (name != null) {
            if (req.isPresent("model")) {
                throw ApiException.invalid("tokenizer", "give model or tokenizer, not both");
            }
            TokenizerCatalog.Resolved r = tokenizerService.catalog().find(name).orElseThrow(() -> new ApiException(404,
                    "invalid_request_error", "tokenizer", "tokenizer_not_found", "tokenizer '" + name
                    + "' does not exist; available: " + String.join(", ", tokenizerService.catalog().ids())));
            tokenizer = r.tokenizer();
            tokenizerId = r.id();
            source = source(r.source());
            modelId = r.source() == TokenizerCatalog.Source.MODEL ? r.id() : null;
        } else {
            ServedModel model = models.registry().acquire(req.string("model"));
            tokenizer = model.tokenizer();
            modelId = model.id();
            tokenizerId = model.id();
            source = source(TokenizerCatalog.Source.MODEL);
        }
        int[] ids = tokenizer.encode(content, addSpecial == null || addSpecial, parseSpecial != null && parseSpecial);
        List<TokenSpan> spans = new ArrayList<>(ids.length);
        int offset = 0;
        for (int id : ids) {
            byte[] bytes = tokenizer.tokenBytes(id);
            TokenType type = tokenizer.tokenType(id);
            List<Integer> byteList = new ArrayList<>(bytes.length);
            for (byte b : bytes) {
                byteList.add(b & 0xFF);
            }
            spans.add(new TokenSpan(id, tokenizer.tokenText(id), new String(bytes, StandardCharsets.UTF_8), offset,
                    offset + bytes.length, type.name().toLowerCase(Locale.ROOT), type == TokenType.BYTE, byteList,
                    isUtf8(bytes)));
            offset += bytes.length;
        }
        return new TokenizeResponse(modelId, tokenizerId, source, tokenizer.vocabSize(), ids.length,
                content.codePointCount(0, content.length()), content.getBytes(StandardCharsets.UTF_8).length, toList(ids), spans);
    }

    private static String source(TokenizerCatalog.Source s) {
        return s.name().toLowerCase(Locale.ROOT);
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
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
