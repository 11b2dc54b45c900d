package dev.quill.engine;

/**
 * The outcome of a generation.
 *
 * @param cachedTokens prompt tokens whose keys and values came from the prefix cache instead of
 *     being computed again
 * @param promptNanos time to process the prompt (until the first token's logits)
 * @param generationNanos time spent generating after that
 */
public record GenerationResult(
        String text,
        int promptTokens,
        int completionTokens,
        FinishReason finishReason,
        long promptNanos,
        long generationNanos,
        int cachedTokens) {

    public GenerationResult(String text, int promptTokens, int completionTokens, FinishReason finishReason, long promptNanos,
            long generationNanos) {
        this(text, promptTokens, completionTokens, finishReason, promptNanos, generationNanos, 0);
    }

    public double promptTokensPerSecond() {
        return promptNanos == 0 ? 0 : promptTokens * 1e9 / promptNanos;
    }

    public double generationTokensPerSecond() {
        return generationNanos == 0 ? 0 : completionTokens * 1e9 / generationNanos;
    }
}
