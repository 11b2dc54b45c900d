package dev.quill.prompts;

import java.util.Locale;

/** Chain-of-thought modes (Kojima et al. 2022; few-shot CoT after Wei et al. 2022). */
public enum CotMode {
    /** Ask for the answer directly. */
    OFF("off"),
    /** One call: the reasoning trigger after "A:", answer read from the same output. */
    ZERO_SHOT("zero-shot"),
    /** Kojima's method: reasoning extraction, then answer extraction with a format trigger. */
    TWO_STAGE("two-stage"),
    /** Worked examples with rationales before the question. */
    FEW_SHOT("few-shot");

    private final String id;

    CotMode(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static CotMode parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        for (CotMode m : values()) {
            if (m.id.equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown chain-of-thought mode '" + text + "': allowed are off, zero-shot, two-stage, few-shot");
    }
}
