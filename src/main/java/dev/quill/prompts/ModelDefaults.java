package dev.quill.prompts;

import dev.quill.sampling.SamplingParams;

import java.util.List;

/**
 * Model parameters a template suggests; null means "the server's default". Names follow the
 * OpenAI API (snake_case in files).
 */
public record ModelDefaults(
        Double temperature,
        Double topP,
        Integer topK,
        Double minP,
        Integer maxTokens,
        List<String> stop,
        Long seed,
        Double repeatPenalty,
        Double presencePenalty,
        Double frequencyPenalty) {

    public static final ModelDefaults NONE = new ModelDefaults(null, null, null, null, null, List.of(), null, null, null, null);

    public ModelDefaults {
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (maxTokens != null && maxTokens < 1) {
            throw new InvalidTemplateException("defaults.max_tokens", "must be at least 1, got " + maxTokens);
        }
        if (temperature != null && !(temperature >= 0 && temperature <= SamplingParams.MAX_TEMPERATURE)) {
            throw new InvalidTemplateException("defaults.temperature", "must be in [0, 2], got " + temperature);
        }
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw new InvalidTemplateException("defaults.top_p", "must be in (0, 1], got " + topP);
        }
        for (String s : stop) {
            if (s == null || s.isEmpty()) {
                throw new InvalidTemplateException("defaults.stop", "stop sequences must be non-empty strings");
            }
        }
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    /** Sets every parameter this template states on the builder; the rest keep the builder's values. */
    public SamplingParams.Builder applyTo(SamplingParams.Builder b) {
        if (temperature != null) b.temperature(temperature.floatValue());
        if (topP != null) b.topP(topP.floatValue());
        if (topK != null) b.topK(topK);
        if (minP != null) b.minP(minP.floatValue());
        if (seed != null) b.seed(seed);
        if (repeatPenalty != null) b.repetitionPenalty(repeatPenalty.floatValue());
        if (presencePenalty != null) b.presencePenalty(presencePenalty.floatValue());
        if (frequencyPenalty != null) b.frequencyPenalty(frequencyPenalty.floatValue());
        return b;
    }
}
