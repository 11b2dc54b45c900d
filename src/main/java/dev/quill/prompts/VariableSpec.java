package dev.quill.prompts;

/**
 * A variable a template declares.
 *
 * @param name         identifier used in the body as {@code {name}}
 * @param description  what to put there (shown in the UI)
 * @param required     rendering without it fails with {@link MissingVariableException}
 * @param defaultValue used when the variable is not given; null for none. A string, number,
 *                     boolean, list or map, as YAML reads it
 * @param example      a realistic value, used by the UI as a placeholder and by the library test
 *                     that renders every shipped template; null for none
 */
public record VariableSpec(String name, String description, boolean required, Object defaultValue, Object example) {
    public VariableSpec {
        Names.requireIdentifier("variable name", name);
        description = Text.normalizeLine(description);
        if (required && defaultValue != null) {
            throw new InvalidTemplateException("variables." + name, "a required variable cannot have a default");
        }
    }

    public static VariableSpec required(String name, String description) {
        return new VariableSpec(name, description, true, null, null);
    }

    public static VariableSpec optional(String name, String description, Object defaultValue) {
        return new VariableSpec(name, description, false, defaultValue, null);
    }

    public VariableSpec withExample(Object newExample) {
        return new VariableSpec(name, description, required, defaultValue, newExample);
    }
}
