package dev.quill.sampling;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to choose the next token from a model's logits. The semantics follow llama.cpp's default
 * sampler chain, with OpenAI's meaning for the parameters OpenAI defines; see {@link Sampler} for
 * the order in which they apply.
 *
 * @param temperature       0 picks the most likely token (greedy); otherwise logits are divided by it
 *                          after truncation. Allowed 0–2, OpenAI's range: above 2 output is noise.
 * @param topK              keep only the {@code topK} most likely tokens; 0 turns it off
 * @param topP              keep the smallest set of most likely tokens whose probability sums to at
 *                          least {@code topP} (nucleus sampling); 1 turns it off
 * @param minP              drop tokens whose probability is below {@code minP} times that of the most
 *                          likely token; 0 turns it off
 * @param repetitionPenalty llama.cpp's repeat penalty on tokens seen in the penalty window: positive
 *                          logits are divided by it, negative ones multiplied; 1 turns it off
 * @param presencePenalty   OpenAI presence penalty: subtracted once from the logit of every token seen
 *                          in the penalty window
 * @param frequencyPenalty  OpenAI frequency penalty: subtracted once per occurrence in the window
 * @param penaltyLastN      how many of the most recent tokens the penalties look at; -1 means the
 *                          whole history, 0 turns all three penalties off
 * @param seed              seed for reproducible sampling; {@code null} picks a random one
 * @param logitBias         token id to a value added to its logit (OpenAI semantics: -100 effectively
 *                          bans the token, +100 effectively forces it); never null
 * @param logprobs          whether {@link Sampler} records the chosen token's log-probability
 * @param topLogprobs       how many most likely alternatives to record with it (0–20; needs logprobs)
 */
public record SamplingParams(
        float temperature,
        int topK,
        float topP,
        float minP,
        float repetitionPenalty,
        float presencePenalty,
        float frequencyPenalty,
        int penaltyLastN,
        Long seed,
        Map<Integer, Float> logitBias,
        boolean logprobs,
        int topLogprobs) {

    public static final float MAX_TEMPERATURE = 2f;
    public static final float MAX_ABS_PRESENCE_FREQUENCY_PENALTY = 2f;
    public static final float MAX_ABS_LOGIT_BIAS = 100f;
    public static final int MAX_TOP_LOGPROBS = 20;

    public SamplingParams {
        if (logitBias == null) {
            logitBias = Map.of();
        } else {
            for (Map.Entry<Integer, Float> e : logitBias.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new InvalidSamplingParameterException("logit_bias", e, "a map from token id to a number without nulls");
                }
            }
            // Keeps the caller's iteration order (so error messages are stable) but stops later edits.
            logitBias = Collections.unmodifiableMap(new LinkedHashMap<>(logitBias));
        }
    }

    /**
     * llama.cpp's defaults, which an OpenAI-compatible server uses for parameters a request omits:
     * temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no penalties, a penalty window of 64,
     * a random seed, no bias and no logprobs.
     */
    public static SamplingParams defaults() {
        return builder().build();
    }

    /** Always the most likely token (after bias and penalties). */
    public static SamplingParams greedy() {
        return builder().temperature(0).build();
    }

    /** A builder that starts from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these values. */
    public Builder toBuilder() {
        return new Builder()
                .temperature(temperature)
                .topK(topK)
                .topP(topP)
                .minP(minP)
                .repetitionPenalty(repetitionPenalty)
                .presencePenalty(presencePenalty)
                .frequencyPenalty(frequencyPenalty)
                .penaltyLastN(penaltyLastN)
                .seed(seed)
                .logitBias(logitBias)
                .logprobs(logprobs)
                .topLogprobs(topLogprobs);
    }

    /** Whether any of the repetition, presence or frequency penalties changes a logit. */
    public boolean penaltiesEnabled() {
        return penaltyLastN != 0 && (repetitionPenalty != 1f || presencePenalty != 0f || frequencyPenalty != 0f);
    }

    /**
     * Checks every parameter against its allowed range for a model with {@code vocabSize} tokens.
     *
     * @throws InvalidSamplingParameterException naming the first parameter out of range
     */
    public void validate(int vocabSize) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize);
        }
        if (!(temperature >= 0f && temperature <= MAX_TEMPERATURE)) {
            throw new InvalidSamplingParameterException("temperature", temperature, "in [0, " + MAX_TEMPERATURE + "]");
        }
        if (topK < 0) {
            throw new InvalidSamplingParameterException("top_k", topK, ">= 0 (0 disables it)");
        }
        if (!(topP > 0f && topP <= 1f)) {
            throw new InvalidSamplingParameterException("top_p", topP, "in (0, 1] (1 disables it)");
        }
        if (!(minP >= 0f && minP <= 1f)) {
            throw new InvalidSamplingParameterException("min_p", minP, "in [0, 1] (0 disables it)");
        }
        if (!(repetitionPenalty > 0f && repetitionPenalty < Float.POSITIVE_INFINITY)) {
            throw new InvalidSamplingParameterException("repetition_penalty", repetitionPenalty, "a finite number > 0 (1 disables it)");
        }
        float maxPenalty = MAX_ABS_PRESENCE_FREQUENCY_PENALTY;
        if (!(presencePenalty >= -maxPenalty && presencePenalty <= maxPenalty)) {
            throw new InvalidSamplingParameterException("presence_penalty", presencePenalty, "in [-2, 2]");
        }
        if (!(frequencyPenalty >= -maxPenalty && frequencyPenalty <= maxPenalty)) {
            throw new InvalidSamplingParameterException("frequency_penalty", frequencyPenalty, "in [-2, 2]");
        }
        if (penaltyLastN < -1) {
            throw new InvalidSamplingParameterException("penalty_last_n", penaltyLastN, ">= -1 (-1 = whole history, 0 disables penalties)");
        }
        for (Map.Entry<Integer, Float> e : logitBias.entrySet()) {
            int token = e.getKey();
            float bias = e.getValue();
            if (token < 0 || token >= vocabSize) {
                throw new InvalidSamplingParameterException("logit_bias", e, "keyed by token ids in [0, " + (vocabSize - 1) + "]");
            }
            if (!(bias >= -MAX_ABS_LOGIT_BIAS && bias <= MAX_ABS_LOGIT_BIAS)) {
                throw new InvalidSamplingParameterException("logit_bias", e, "valued in [-100, 100]");
            }
        }
        if (topLogprobs < 0 || topLogprobs > MAX_TOP_LOGPROBS) {
            throw new InvalidSamplingParameterException("top_logprobs", topLogprobs, "in [0, " + MAX_TOP_LOGPROBS + "]");
        }
        // OpenAI rejects this combination rather than silently ignoring top_logprobs.
        if (topLogprobs > 0 && !logprobs) {
            throw new InvalidSamplingParameterException("top_logprobs", topLogprobs, "0 unless logprobs is true");
        }
    }

    /** Mutable builder, starting from {@link SamplingParams#defaults()}. */
    public static final class Builder {
        private float temperature = 0.8f;
        private int topK = 40;
        private float topP = 0.95f;
        private float minP = 0.05f;
        private float repetitionPenalty = 1f;
        private float presencePenalty = 0f;
        private float frequencyPenalty = 0f;
        private int penaltyLastN = 64;
        private Long seed;
        private Map<Integer, Float> logitBias = Map.of();
        private boolean logprobs;
        private int topLogprobs;

        private Builder() {
        }

        public Builder temperature(float v) {
            temperature = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder topP(float v) {
            topP = v;
            return this;
        }

        public Builder minP(float v) {
            minP = v;
            return this;
        }

        public Builder repetitionPenalty(float v) {
            repetitionPenalty = v;
            return this;
        }

        public Builder presencePenalty(float v) {
            presencePenalty = v;
            return this;
        }

        public Builder frequencyPenalty(float v) {
            frequencyPenalty = v;
            return this;
        }

        public Builder penaltyLastN(int v) {
            penaltyLastN = v;
            return this;
        }

        public Builder seed(Long v) {
            seed = v;
            return this;
        }

        public Builder logitBias(Map<Integer, Float> v) {
            logitBias = v;
            return this;
        }

        public Builder logprobs(boolean v) {
            logprobs = v;
            return this;
        }

        public Builder topLogprobs(int v) {
            topLogprobs = v;
            return this;
        }

        /** Turns off top-k, top-p and min-p, so only temperature shapes the distribution. */
        public Builder noTruncation() {
            topK = 0;
            topP = 1f;
            minP = 0f;
            return this;
        }

        public SamplingParams build() {
            return new SamplingParams(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                    frequencyPenalty, penaltyLastN, seed, logitBias, logprobs, topLogprobs);
        }
    }
}
