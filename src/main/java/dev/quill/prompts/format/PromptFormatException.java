package dev.quill.prompts.format;

import dev.quill.prompts.PromptException;

/** A prompt or persona file is malformed; the message starts with {@code file:line:}. */
public class PromptFormatException extends PromptException {
    private final String file;
    private final int line;

    public PromptFormatException(String file, int line, String message) {
        super(file + (line > 0 ? ":" + line : "") + ": " + message);
        this.file = file;
        this.line = line;
    }

    public PromptFormatException(String file, int line, String message, Throwable cause) {
        super(file + (line > 0 ? ":" + line : "") + ": " + message, cause);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    /** 1-based line in the file, 0 when the problem is not tied to a line. */
    public int line() {
        return line;
    }
}
