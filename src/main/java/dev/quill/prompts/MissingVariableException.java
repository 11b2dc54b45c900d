package dev.quill.prompts;

import java.util.List;

/** A required template variable was not given: the server answers 422 naming it. */
public class MissingVariableException extends PromptException {
    private final List<String> variables;

    public MissingVariableException(String template, List<String> variables) {
        super("template " + template + " needs the variable" + (variables.size() == 1 ? " " : "s ")
                + String.join(", ", variables) + ", which " + (variables.size() == 1 ? "was" : "were") + " not given");
        this.variables = List.copyOf(variables);
    }

    /** The missing variables, in declaration order. */
    public List<String> variables() {
        return variables;
    }
}
