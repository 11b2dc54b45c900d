package dev.quill.prompts.store;

import dev.quill.prompts.PromptException;

/**
 * An edit made from a version that is no longer the latest (someone else saved in between), or a
 * create of a name that exists. The API answers 409 with {@link #currentVersion()} so the client
 * can fetch it, merge and retry.
 */
public class VersionConflictException extends PromptException {
    private final int currentVersion;

    public VersionConflictException(String message, int currentVersion) {
        super(message);
        this.currentVersion = currentVersion;
    }

    public int currentVersion() {
        return currentVersion;
    }
}
