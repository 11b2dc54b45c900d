package dev.quill.prompts;

import java.util.List;

/**
 * What the answer must look like. The restrain rule states each constraint in the prompt and
 * turns what the engine can enforce into settings (max tokens, stop sequences, allowed answers).
 *
 * @param maxWords       at most this many words
 * @param maxSentences   at most this many sentences
 * @param maxTokens      a hard cap on generated tokens
 * @param allowedAnswers the answer must be exactly one of these (enforced by constrained decoding)
 * @param format         the shape of the answer; null for unconstrained
 * @param stop           stop sequences
 */
public record OutputConstraints(
        Integer maxWords,
        Integer maxSentences,
        Integer maxTokens,
        List<String> allowedAnswers,
        AnswerFormat format,
        List<String> stop) {

    public static final OutputConstraints NONE = new OutputConstraints(null, null, null, List.of(), null, List.of());

    public OutputConstraints {
        allowedAnswers = allowedAnswers == null ? List.of() : List.copyOf(allowedAnswers);
        stop = stop == null ? List.of() : List.copyOf(stop);
        positive("constraints.max_words", maxWords);
        positive("constraints.max_sentences", maxSentences);
        positive("constraints.max_tokens", maxTokens);
        for (String a : allowedAnswers) {
            if (a == null || a.isBlank()) {
                throw new InvalidTemplateException("constraints.allowed_answers", "answers must be non-empty strings");
            }
        }
        if (allowedAnswers.stream().distinct().count() != allowedAnswers.size()) {
            throw new InvalidTemplateException("constraints.allowed_answers", "contains a duplicate: " + allowedAnswers);
        }
        for (String s : stop) {
            if (s == null || s.isEmpty()) {
                throw new InvalidTemplateException("constraints.stop", "stop sequences must be non-empty strings");
            }
        }
    }

    private static void positive(String field, Integer v) {
        if (v != null && v < 1) {
            throw new InvalidTemplateException(field, "must be at least 1, got " + v);
        }
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    /** The answers the output is limited to: the declared list, or Yes/No for the yes-no format. */
    public List<String> effectiveAllowedAnswers() {
        if (!allowedAnswers.isEmpty()) {
            return allowedAnswers;
        }
        if (format == AnswerFormat.YES_NO) {
            return List.of("Yes", "No");
        }
        if (format == AnswerFormat.CHOICE) {
            return List.of("A", "B", "C", "D", "E");
        }
        return List.of();
    }
}
