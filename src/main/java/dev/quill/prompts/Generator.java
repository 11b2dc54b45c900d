package dev.quill.prompts;

/**
 * The model call, passed in so that decomposition and chain-of-thought can be tested with a fake
 * and wired to the engine by the server.
 */
@FunctionalInterface
public interface Generator {
    /** Generates the model's continuation of the prompt (the assistant's reply for a chat prompt). */
    String generate(Prompt prompt, GenerationSettings settings);
}
