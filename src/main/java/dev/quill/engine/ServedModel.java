package dev.quill.engine;

import dev.quill.chat.ChatMessage;
import dev.quill.model.Model;
import dev.quill.tokenizer.TokenType;
import dev.quill.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A loaded model ready to serve: the weights, its tokenizer, its chat template and the worker
 * that runs its generations. Closing it stops the worker and unmaps the file.
 */
public final class ServedModel implements AutoCloseable {
    private final String id;
    private final ModelInfo info;
    private final Model model;
    private final Tokenizer tokenizer;
    private final ChatPromptFormatter chatFormatter;
    private final Set<Integer> chatEndTokens;
    private final List<String> chatStopStrings;
    private final ModelWorker worker;

    public ServedModel(String id, ModelInfo info, Model model, Tokenizer tokenizer, ChatPromptFormatter chatFormatter,
            SchedulerOptions scheduling) {
        this.id = id;
        this.info = info;
        this.model = model;
        this.tokenizer = tokenizer;
        this.chatFormatter = chatFormatter;
        Set<Integer> endTokens = new LinkedHashSet<>();
        List<String> stops = new ArrayList<>();
        for (String marker : chatFormatter.endOfTurnMarkers()) {
            int[] ids = tokenizer.encode(marker, false, true);
            if (ids.length == 1 && tokenizer.tokenType(ids[0]) != TokenType.NORMAL) {
                endTokens.add(ids[0]);
            } else {
                // A model without the marker as a token (ChatML on a base model) still writes it as text.
                stops.add(marker);
            }
        }
        this.chatEndTokens = Set.copyOf(endTokens);
        this.chatStopStrings = List.copyOf(stops);
        this.worker = new ModelWorker(id, model, tokenizer, scheduling);
    }

    public String id() {
        return id;
    }

    public ModelInfo info() {
        return info;
    }

    public Model model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ChatPromptFormatter chatFormatter() {
        return chatFormatter;
    }

    /** Tokens that end an assistant turn under this model's chat template. */
    public Set<Integer> chatEndTokens() {
        return chatEndTokens;
    }

    /** End-of-turn markers that are plain text for this vocabulary: stop strings for chat requests. */
    public List<String> chatStopStrings() {
        return chatStopStrings;
    }

    public ModelWorker worker() {
        return worker;
    }

    /** The KV cache length a sequence gets: prompt plus completion must fit in it. */
    public int contextLength() {
        return model.contextLength();
    }

    /**
     * Renders a conversation with the chat template and tokenizes it as llama.cpp does, except that
     * special tokens are recognised only outside message contents; a BOS the template already
     * wrote is not added twice.
     */
    public ChatPrompt renderChat(List<ChatMessage> messages, boolean addGenerationPrompt) {
        String bos = tokenizer.bos() == Tokenizer.NO_TOKEN ? "" : tokenizer.tokenText(tokenizer.bos());
        String eos = tokenizer.eos() == Tokenizer.NO_TOKEN ? "" : tokenizer.tokenText(tokenizer.eos());
        ChatPromptFormatter.RenderedChat rendered = chatFormatter.renderForTokenizer(messages, addGenerationPrompt, bos, eos);
        String text = rendered.text();
        boolean templateWroteBos = !bos.isEmpty() && text.startsWith(bos);
        // Special tokens count in the template's text only: a user typing <|eot_id|> gets plain text.
        int[] tokens = tokenizer.encode(text, !templateWroteBos, true, rendered.contentRanges());
        return new ChatPrompt(text, tokens);
    }

    /** A rendered chat prompt and its tokens. */
    public record ChatPrompt(String text, int[] tokens) {
    }

    @Override
    public void close() {
        worker.close();
        model.close();
    }
}
