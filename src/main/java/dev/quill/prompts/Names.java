package dev.quill.prompts;

import java.util.regex.Pattern;

/** The naming rules for templates, personas, variables and steps. */
public final class Names {
    /** Lowercase path segments of letters, digits and hyphens joined by '/': {@code qa/answer-check}. */
    public static final Pattern SLUG = Pattern.compile("[a-z0-9-]+(/[a-z0-9-]+)*");
    /** A Qute-addressable identifier: variables and step names become template variables. */
    public static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    public static final int MAX_SLUG_LENGTH = 200;

    private Names() {
    }

    public static String requireSlug(String field, String name) {
        if (name == null || name.isBlank()) {
            throw new InvalidTemplateException(field, "is required (a slug such as qa/answer-check)");
        }
        if (name.length() > MAX_SLUG_LENGTH || !SLUG.matcher(name).matches()) {
            throw new InvalidTemplateException(field, "'" + name + "' is not a valid name: use lowercase path segments of"
                    + " a-z, 0-9 and '-', joined by '/', at most " + MAX_SLUG_LENGTH + " characters (e.g. qa/answer-check)");
        }
        return name;
    }

    public static String requireIdentifier(String field, String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new InvalidTemplateException(field, "'" + name + "' is not a valid name: use letters, digits and '_',"
                    + " starting with a letter or '_' (e.g. question_text)");
        }
        return name;
    }
}
