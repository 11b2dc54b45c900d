package dev.quill.prompts;

/**
 * A template body does not parse, uses something that is not there (an undeclared variable, a
 * property a value does not have) or breaks a rule of the sandbox: HTTP 422.
 */
public class TemplateRenderException extends PromptException {
    private final int line;

    public TemplateRenderException(String message, int line) {
        super(message);
        this.line = line;
    }

    /** 1-based line in the body where Qute located the problem, or 0 when unknown. */
    public int line() {
        return line;
    }
}
