package dev.quill.engine;

import dev.quill.sampling.SamplingParams;
import java.util.List;
import java.util.Objects;

/**
 * One completion to generate.
 *
 * @param promptTokens the prompt, already tokenized (BOS and template included)
 * @param maxTokens most tokens to generate; -1 = until the context is full
 * @param stop strings that end the generation; they are never part of the output
 */
public record GenerationRequest(int[] promptTokens, SamplingParams sampling, int maxTokens, List<String> stop) {
    public GenerationRequest {
        Objects.requireNonNull(promptTokens, "promptTokens");
        Objects.requireNonNull(sampling, "sampling");
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: at least one token is needed");
        }
        if (maxTokens == 0 || maxTokens < -1) {
            throw new IllegalArgumentException("max tokens must be >= 1 (or -1 for no limit), got " + maxTokens);
        }
    }
}
