package dev.quill.prompts;

/** A variable's value cannot be given to a template (wrong type, too large, too deep): HTTP 422. */
public class InvalidVariableException extends PromptException {
    private final String variable;

    public InvalidVariableException(String variable, String message) {
        super("variable " + variable + ": " + message);
        this.variable = variable;
    }

    public String variable() {
        return variable;
    }
}
