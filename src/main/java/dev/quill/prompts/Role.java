package dev.quill.prompts;

import java.util.Locale;

/** The speaker of a chat message. */
public enum Role {
    SYSTEM, USER, ASSISTANT;

    /** The lowercase name used in files and in the OpenAI API. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code system}, {@code user} or {@code assistant}, case-insensitively. */
    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.id().equalsIgnoreCase(text.strip())) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + text + "': allowed are system, user, assistant");
    }
}
