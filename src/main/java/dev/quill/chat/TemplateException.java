package dev.quill.chat;

/**
 * A chat template could not be compiled or rendered: a syntax error, a runtime error the template
 * made (an undefined value used where Jinja2 would fail, a type error), or a sandbox limit hit.
 * The message names the template line when it is known.
 */
public class TemplateException extends RuntimeException {
    private final String detail;
    private final int line;

    public TemplateException(String detail) {
        this(detail, 0, null);
    }

    public TemplateException(String detail, int line) {
        this(detail, line, null);
    }

    public TemplateException(String detail, int line, Throwable cause) {
        super(line > 0 ? detail + " (template line " + line + ")" : detail, cause);
        this.detail = detail;
        this.line = line;
    }

    /** The message without the line suffix. */
    public String detail() {
        return detail;
    }

    /** 1-based template line the error belongs to, or 0 when unknown. */
    public int line() {
        return line;
    }

    /**
     * The same error located at {@code newLine}; only errors that have no line yet are located, so
     * the innermost statement wins.
     */
    TemplateException atLine(int newLine) {
        if (line > 0 || newLine <= 0) {
            return this;
        }
        TemplateException located = new TemplateException(detail, newLine, getCause());
        located.setStackTrace(getStackTrace());
        return located;
    }
}
