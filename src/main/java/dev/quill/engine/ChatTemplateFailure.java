package dev.quill.engine;

/**
 * A chat template could not render a conversation.
 *
 * @see #raisedByTemplate()
 */
public final class ChatTemplateFailure extends RuntimeException {
    private final boolean raisedByTemplate;

    public ChatTemplateFailure(String message, boolean raisedByTemplate, Throwable cause) {
        super(message, cause);
        this.raisedByTemplate = raisedByTemplate;
    }

    /**
     * True when the template itself rejected the conversation ({@code raise_exception}, e.g.
     * "roles must alternate"): the client's input is at fault. False when the template is broken.
     */
    public boolean raisedByTemplate() {
        return raisedByTemplate;
    }
}
