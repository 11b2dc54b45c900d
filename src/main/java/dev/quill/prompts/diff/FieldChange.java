package dev.quill.prompts.diff;

/**
 * A setting that differs between two versions.
 *
 * @param field  dotted path as in the file format: {@code defaults.temperature},
 *               {@code variables.question.default}, {@code constraints.allowed_answers}, {@code examples[1].output}
 * @param before the old value, or null when the field is new
 * @param after  the new value, or null when the field was removed
 */
public record FieldChange(String field, Object before, Object after) {
}
