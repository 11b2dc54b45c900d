package dev.quill.api.openai;

import dev.quill.sampling.SamplingParams;
import java.util.List;

/**
 * The parameters chat and text completions share, checked and converted.
 *
 * @param maxTokens the most tokens to generate, or null for "until the context is full"
 */
record GenerationOptions(
        String model,
        SamplingParams sampling,
        Integer maxTokens,
        List<String> stop,
        boolean stream,
        boolean includeUsage) {
}
