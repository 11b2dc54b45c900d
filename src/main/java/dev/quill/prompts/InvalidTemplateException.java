package dev.quill.prompts;

/** A template or persona definition breaks a rule of the model (bad name, duplicate variable, ...): HTTP 400. */
public class InvalidTemplateException extends PromptException {
    private final String field;

    public InvalidTemplateException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The offending field, as named in the file format (e.g. {@code variables[2].name}). */
    public String field() {
        return field;
    }
}
