package dev.quill.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a conversation into the prompt text a model was trained on, with the model's chat
 * template or, when it has none, ChatML (llama.cpp's fallback).
 */
public final class ChatPromptFormatter {
    /** Markers that end a turn in the common templates; generation stops at them. */
    private static final List<String> END_OF_TURN_MARKERS = List.of(
            "<|im_end|>", "<|eot_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "</s>");

    private final String source;
    private final boolean fallback;

    private ChatPromptFormatter(String source, boolean fallback) {
        this.source = source;
        this.fallback = fallback;
    }

    /** The formatter for a template source; null or blank gives the ChatML fallback. */
    public static ChatPromptFormatter forTemplate(String templateSource) {
        if (templateSource == null || templateSource.isBlank()) {
            return new ChatPromptFormatter(null, true);
        }
        return new ChatPromptFormatter(templateSource, false);
    }

    /** Whether this is the ChatML fallback rather than a template from the model or the configuration. */
    public boolean isFallback() {
        return fallback;
    }

    /** The Jinja source of the template, or null for the fallback. */
    public String source() {
        return source;
    }

    /**
     * Renders the conversation.
     *
     * @param addGenerationPrompt end with the header of an assistant turn, so the model writes it
     * @throws ChatTemplateFailure when the template raises an error or cannot be evaluated
     */
    public String render(List<ChatTurn> messages, boolean addGenerationPrompt, String bosToken, String eosToken) {
        StringBuilder sb = new StringBuilder();
        for (ChatTurn m : messages) {
            sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
        }
        if (addGenerationPrompt) {
            sb.append("<|im_start|>assistant\n");
        }
        return sb.toString();
    }

    /** The end-of-turn markers this template writes: a reply ends when the model produces one. */
    public List<String> endOfTurnMarkers() {
        if (fallback) {
            return List.of("<|im_end|>");
        }
        List<String> found = new ArrayList<>();
        for (String marker : END_OF_TURN_MARKERS) {
            if (source.contains(marker)) {
                found.add(marker);
            }
        }
        return found;
    }
}
