package dev.quill.chat;

/** Chat templates Quill supplies itself. */
public final class ChatTemplates {
    /**
     * ChatML, which llama.cpp falls back to for models whose GGUF has no
     * {@code tokenizer.chat_template}: every message as
     * {@code <|im_start|>role\ncontent<|im_end|>\n}, then {@code <|im_start|>assistant\n} when a
     * generation prompt is requested.
     */
    public static final String CHATML_SOURCE = "{%- for message in messages %}"
            + "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{%- endfor %}"
            + "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

    private static final ChatTemplate FALLBACK = ChatTemplate.compile(CHATML_SOURCE);

    private ChatTemplates() {
    }

    /** The template used when a model has none: {@link #CHATML_SOURCE}. */
    public static ChatTemplate fallback() {
        return FALLBACK;
    }

    /** The model's own template, or the {@link #fallback()} when it has none (null or blank). */
    public static ChatTemplate forModel(String chatTemplateSource) {
        if (chatTemplateSource == null || chatTemplateSource.isBlank()) {
            return FALLBACK;
        }
        return ChatTemplate.compile(chatTemplateSource);
    }
}
