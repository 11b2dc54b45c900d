package dev.quill.prompts;

import java.util.Locale;

/** The shape an answer must have; drives restraining statements, CoT answer triggers and answer cleaning. */
public enum AnswerFormat {
    /** Free text. */
    TEXT("text"),
    /** A number written in arabic numerals. */
    NUMBER("number"),
    /** Yes or No. */
    YES_NO("yes-no"),
    /** One letter of a multiple-choice question, A through E. */
    CHOICE("choice"),
    /** A single JSON object. */
    JSON("json"),
    /** A list, one item per line. */
    LIST("list");

    private final String id;

    AnswerFormat(String id) {
        this.id = id;
    }

    /** The name used in files and the API. */
    public String id() {
        return id;
    }

    public static AnswerFormat parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        for (AnswerFormat f : values()) {
            if (f.id.equals(t)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown answer format '" + text + "': allowed are text, number, yes-no, choice, json, list");
    }
}
