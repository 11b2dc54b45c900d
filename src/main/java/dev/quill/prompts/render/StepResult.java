package dev.quill.prompts.render;

import dev.quill.prompts.Prompt;

/** One model call of a run: the step's name ("final" for the template's own body), what was sent and what came back. */
public record StepResult(String name, Prompt prompt, String output) {
}
