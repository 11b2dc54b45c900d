package dev.quill.sampling;

/**
 * A sampling parameter outside its allowed range. The message names the parameter with its
 * OpenAI-style wire name (for example {@code top_p}), the rejected value and the allowed range, so a
 * server can return it to the client unchanged as a 400 error.
 */
public final class InvalidSamplingParameterException extends IllegalArgumentException {
    private final String parameter;
    private final transient Object value;
    private final String allowed;

    public InvalidSamplingParameterException(String parameter, Object value, String allowed) {
        super(parameter + " must be " + allowed + ", but was " + value);
        this.parameter = parameter;
        this.value = value;
        this.allowed = allowed;
    }

    /** The parameter's wire name, e.g. {@code temperature}, {@code top_k}, {@code logit_bias}. */
    public String parameter() {
        return parameter;
    }

    /** The rejected value (for {@code logit_bias}, the offending entry). */
    public Object value() {
        return value;
    }

    /** The allowed range in words, e.g. {@code "in (0, 1]"}. */
    public String allowed() {
        return allowed;
    }
}
