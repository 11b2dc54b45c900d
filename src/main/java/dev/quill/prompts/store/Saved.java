package dev.quill.prompts.store;

import dev.quill.prompts.diff.PromptVersion;

/**
 * The result of a write: the version now holding the content, and whether it is new ({@code false}
 * when the content equalled the latest version's, which is then returned unchanged).
 */
public record Saved(String name, PromptVersion version, boolean created) {
}
