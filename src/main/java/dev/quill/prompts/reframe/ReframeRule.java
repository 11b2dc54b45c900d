package dev.quill.prompts.reframe;

import java.util.Locale;

/** The five reframings of Mishra et al. 2022, each an option when rendering. */
public enum ReframeRule {
    /** Paragraphs to bullet lists, negative statements to positive ones. */
    ITEMIZE,
    /** Run the template's declared steps in order, each output feeding the next. */
    DECOMPOSE,
    /** State the output constraints explicitly and enforce what the engine can. */
    RESTRAIN,
    /** Show the few-shot examples in one consistent format. */
    PATTERN,
    /** Drop generic statements and address the instruction to the task's output. */
    SPECIALIZE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ReframeRule parse(String text) {
        for (ReframeRule r : values()) {
            if (r.id().equalsIgnoreCase(text.strip())) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown reframing rule '" + text + "': allowed are itemize, decompose, restrain, pattern, specialize");
    }
}
