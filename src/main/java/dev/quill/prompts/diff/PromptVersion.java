package dev.quill.prompts.diff;

import dev.quill.prompts.PromptTemplate;

import java.time.Instant;

/**
 * One immutable version of a template.
 *
 * @param number    1, 2, 3, ... per template name
 * @param hash      {@link ContentHash} of the content
 * @param message   what changed, in the author's words
 * @param createdAt when the version was made
 * @param parent    the number of the version it was made from; 0 for the first
 * @param template  the content
 */
public record PromptVersion(int number, String hash, String message, Instant createdAt, int parent, PromptTemplate template) {
}
