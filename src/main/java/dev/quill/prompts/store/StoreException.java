package dev.quill.prompts.store;

import dev.quill.prompts.PromptException;

/** The database failed (unreachable, out of space): not the caller's fault, so the API answers 5xx. */
public class StoreException extends PromptException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
