package dev.quill.engine;

import dev.quill.sampling.Sampler;

/** Receives a generation as it happens, on the engine's thread. */
@FunctionalInterface
public interface GenerationListener {
    /**
     * A token was generated.
     *
     * @param text the output text that became final with this token: empty while a multi-byte
     *     character or a possible stop string is still incomplete
     * @param sampler gives the token's logprob and top alternatives (valid during the call only)
     */
    void onToken(int token, String text, Sampler sampler);

    /** Output text released at the end (held back until then), not tied to a new token. */
    default void onTrailingText(String text) {
    }

    GenerationListener NONE = (token, text, sampler) -> { };
}
