package dev.quill.prompts;

/** Rendering went past a limit of the sandbox (template size, output size, loop iterations, time): HTTP 413/422. */
public class RenderLimitException extends PromptException {
    private final String limit;

    public RenderLimitException(String limit, String message) {
        super(message);
        this.limit = limit;
    }

    /** Which limit: template_chars, output_chars, loop_iterations, nesting, time. */
    public String limit() {
        return limit;
    }
}
