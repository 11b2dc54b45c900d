package dev.quill.prompts;

/**
 * The model call, passed in so that decomposition and chain-of-thought can be tested with a fake
 * and wired to the engine by the server.
 */
@FunctionalInterface
public interface Generator {
    /** Generates the model's continuation of the prompt (the assistant's reply for a chat prompt). */
    String generate(Prompt prompt, GenerationSettings settings);

    /**
     * As {@link #generate(Prompt, GenerationSettings)}, saying which part of a run the call is; the
     * runs (decomposition, chain of thought) call this one, so a streaming generator can label
     * what it streams.
     */
    default String generate(CallPart part, Prompt prompt, GenerationSettings settings) {
        return generate(prompt, settings);
    }
}
