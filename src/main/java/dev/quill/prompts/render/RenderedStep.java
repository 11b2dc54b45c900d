package dev.quill.prompts.render;

import dev.quill.prompts.Prompt;

/**
 * One step of a decomposed template as it will be sent. In a preview ({@link PromptRenderer#render})
 * the outputs of earlier steps appear as {@code [output of step NAME]}.
 */
public record RenderedStep(String name, Prompt prompt) {
}
