package dev.quill.prompts;

import java.util.Locale;

/** The kind of task a template performs; the specialize rule has one instruction form for each. */
public enum TaskType {
    CLASSIFICATION("classification"),
    EXTRACTION("extraction"),
    QA("qa"),
    SUMMARISATION("summarisation"),
    GENERATION("generation");

    private final String id;

    TaskType(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Accepts the id, and "summarization" as an alternative spelling. */
    public static TaskType parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("summarization")) {
            return SUMMARISATION;
        }
        for (TaskType k : values()) {
            if (k.id.equals(t)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown task type '" + text
                + "': allowed are classification, extraction, qa, summarisation, generation");
    }
}
