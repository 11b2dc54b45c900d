package dev.quill.prompts;

/**
 * Base of the prompt library's errors. Every subclass carries a message a user can act on
 * (what is wrong and what is allowed); the server maps each subclass to an HTTP status.
 */
public class PromptException extends RuntimeException {
    public PromptException(String message) {
        super(message);
    }

    public PromptException(String message, Throwable cause) {
        super(message, cause);
    }
}
