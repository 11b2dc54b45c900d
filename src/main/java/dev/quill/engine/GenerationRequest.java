package dev.quill.engine;

import dev.quill.sampling.SamplingParams;
import dev.quill.sampling.TokenConstraint;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One completion to generate.
 *
 * @param promptTokens the prompt, already tokenized (BOS and template included)
 * @param maxTokens most tokens to generate; -1 = until the context is full
 * @param stop strings that end the generation; they are never part of the output
 * @param endTokens token ids that end the generation besides the tokenizer's end-of-generation
 *     tokens, such as a chat template's end-of-turn token the vocabulary does not mark as one
 * @param constraint restricts which tokens may be generated (constrained decoding); null for none
 */
public record GenerationRequest(int[] promptTokens, SamplingParams sampling, int maxTokens, List<String> stop,
        Set<Integer> endTokens, TokenConstraint constraint) {
    public GenerationRequest {
        Objects.requireNonNull(promptTokens, "promptTokens");
        Objects.requireNonNull(sampling, "sampling");
        stop = stop == null ? List.of() : List.copyOf(stop);
        endTokens = endTokens == null ? Set.of() : Set.copyOf(endTokens);
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("the prompt is empty: at least one token is needed");
        }
        if (maxTokens == 0 || maxTokens < -1) {
            throw new IllegalArgumentException("max tokens must be >= 1 (or -1 for no limit), got " + maxTokens);
        }
    }

    public GenerationRequest(int[] promptTokens, SamplingParams sampling, int maxTokens, List<String> stop,
            Set<Integer> endTokens) {
        this(promptTokens, sampling, maxTokens, stop, endTokens, null);
    }

    public GenerationRequest(int[] promptTokens, SamplingParams sampling, int maxTokens, List<String> stop) {
        this(promptTokens, sampling, maxTokens, stop, Set.of(), null);
    }

    /** This request with a constraint on the generated tokens. */
    public GenerationRequest withConstraint(TokenConstraint tokenConstraint) {
        return new GenerationRequest(promptTokens, sampling, maxTokens, stop, endTokens, tokenConstraint);
    }
}
