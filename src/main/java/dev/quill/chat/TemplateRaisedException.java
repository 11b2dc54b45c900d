package dev.quill.chat;

/**
 * The template itself called {@code raise_exception(message)}, typically to reject a
 * conversation it cannot format ("System role not supported"). The message is exactly the
 * template's, so a server can return it to the client as a bad request.
 */
public final class TemplateRaisedException extends TemplateException {
    public TemplateRaisedException(String message) {
        super(message);
    }

    @Override
    public String getMessage() {
        return detail();
    }

    @Override
    TemplateException atLine(int newLine) {
        // The template's own message must stay verbatim.
        return this;
    }
}
