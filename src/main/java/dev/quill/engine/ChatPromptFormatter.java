package dev.quill.engine;

import dev.quill.chat.ChatMessage;
import dev.quill.chat.ChatTemplate;
import dev.quill.chat.ChatTemplates;
import dev.quill.chat.TemplateException;
import dev.quill.chat.TemplateRaisedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a conversation into the prompt text a model was trained on, with the model's chat
 * template (or an operator's override) or, when it has none, ChatML: llama.cpp's fallback,
 * {@link ChatTemplates#CHATML_SOURCE}.
 *
 * <p>A template that does not compile does not stop the model from loading: text completions
 * still work, and chat requests get the syntax error with the hint to override the template.
 */
public final class ChatPromptFormatter {
    /** Markers that end a turn in the common templates; generation stops at them. */
    private static final List<String> END_OF_TURN_MARKERS = List.of(
            "<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>");

    private final String source;
    private final boolean fallback;
    private final ChatTemplate template;
    private final TemplateException compileError;

    private ChatPromptFormatter(String source, boolean fallback, ChatTemplate template, TemplateException compileError) {
        this.source = source;
        this.fallback = fallback;
        this.template = template;
        this.compileError = compileError;
    }

    /** The formatter for a template source; null or blank gives the ChatML fallback. */
    public static ChatPromptFormatter forTemplate(String templateSource) {
        if (templateSource == null || templateSource.isBlank()) {
            return new ChatPromptFormatter(ChatTemplates.CHATML_SOURCE, true, ChatTemplates.fallback(), null);
        }
        try {
            return new ChatPromptFormatter(templateSource, false, ChatTemplate.compile(templateSource), null);
        } catch (TemplateException e) {
            return new ChatPromptFormatter(templateSource, false, null, e);
        }
    }

    /** Whether this is the ChatML fallback rather than a template from the model or the configuration. */
    public boolean isFallback() {
        return fallback;
    }

    /** The Jinja source of the template in use. */
    public String source() {
        return source;
    }

    /**
     * Renders the conversation.
     *
     * @param addGenerationPrompt end with the header of an assistant turn, so the model writes it
     * @throws ChatTemplateFailure when the template raises an error, does not compile or fails to render
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, String bosToken, String eosToken) {
        if (template == null) {
            throw new ChatTemplateFailure("the model's chat template does not compile (" + compileError.getMessage()
                    + "); set quill.chat-template.<model> to a working one", false, compileError);
        }
        try {
            return template.renderChat(messages, addGenerationPrompt, bosToken, eosToken, Map.of());
        } catch (TemplateRaisedException e) {
            throw new ChatTemplateFailure("the chat template refused the messages: " + e.getMessage(), true, e);
        } catch (TemplateException e) {
            throw new ChatTemplateFailure("the chat template failed: " + e.getMessage()
                    + "; set quill.chat-template.<model> to override it", false, e);
        }
    }

    /** A rendered prompt with the char ranges that hold message contents (see {@link #renderForTokenizer}). */
    public record RenderedChat(String text, int[] contentRanges) {
    }

    private static final char OPEN = '\uE000';
    private static final char CLOSE = '\uE001';

    /**
     * Renders the conversation and finds where each message's content ended up, so the tokenizer
     * can recognise special tokens in the template's text but not in what users wrote. The contents
     * are located by rendering once more with private-use markers around them; that is trusted only
     * when removing the markers gives exactly the real rendering (a template that inspects or cuts
     * contents would not), else each content is searched for in order.
     */
    public RenderedChat renderForTokenizer(List<ChatMessage> messages, boolean addGenerationPrompt, String bosToken, String eosToken) {
        String text = render(messages, addGenerationPrompt, bosToken, eosToken);
        int[] ranges = markedRanges(messages, addGenerationPrompt, bosToken, eosToken, text);
        return new RenderedChat(text, ranges != null ? ranges : searchedRanges(messages, text));
    }

    private int[] markedRanges(List<ChatMessage> messages, boolean addGenerationPrompt, String bos, String eos, String text) {
        List<ChatMessage> marked = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            String c = m.content();
            if (c == null || c.isEmpty()) {
                marked.add(m);
                continue;
            }
            // Markers go around the content without its outer whitespace, so templates that trim
            // contents still trim them.
            int start = 0;
            int end = c.length();
            while (start < end && Character.isWhitespace(c.charAt(start))) {
                start++;
            }
            while (end > start && Character.isWhitespace(c.charAt(end - 1))) {
                end--;
            }
            marked.add(new ChatMessage(m.role(), c.substring(0, start) + OPEN + c.substring(start, end) + CLOSE + c.substring(end)));
        }
        String rendered;
        try {
            rendered = template.renderChat(marked, addGenerationPrompt, bos, eos, Map.of());
        } catch (TemplateException e) {
            return null;
        }
        StringBuilder stripped = new StringBuilder(text.length());
        List<Integer> ranges = new ArrayList<>();
        int open = -1;
        for (int i = 0; i < rendered.length(); i++) {
            char ch = rendered.charAt(i);
            if (ch == OPEN) {
                if (open >= 0) {
                    return null;
                }
                open = stripped.length();
            } else if (ch == CLOSE) {
                if (open < 0) {
                    return null;
                }
                ranges.add(open);
                ranges.add(stripped.length());
                open = -1;
            } else {
                stripped.append(ch);
            }
        }
        if (open >= 0 || !stripped.toString().equals(text)) {
            return null;
        }
        return ranges.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] searchedRanges(List<ChatMessage> messages, String text) {
        List<Integer> ranges = new ArrayList<>();
        int from = 0;
        for (ChatMessage m : messages) {
            String c = m.content() == null ? "" : m.content().strip();
            if (c.isEmpty()) {
                continue;
            }
            int at = text.indexOf(c, from);
            if (at >= 0) {
                ranges.add(at);
                ranges.add(at + c.length());
                from = at + c.length();
            }
        }
        return ranges.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The end-of-turn markers this template writes: a reply ends when the model produces one. */
    public List<String> endOfTurnMarkers() {
        List<String> found = new ArrayList<>();
        for (String marker : END_OF_TURN_MARKERS) {
            if (source.contains(marker)) {
                found.add(marker);
            }
        }
        return found;
    }
}
