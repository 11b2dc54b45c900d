package dev.quill.prompts.store;

import dev.quill.prompts.PromptException;

/** A prompt, version or label that does not exist; the API answers 404. */
public class PromptNotFoundException extends PromptException {
    public PromptNotFoundException(String message) {
        super(message);
    }
}
