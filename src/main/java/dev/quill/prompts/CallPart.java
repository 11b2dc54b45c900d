package dev.quill.prompts;

import java.util.Locale;

/**
 * What one model call of a run is for, so that a streaming caller can show each call as its own
 * part: a decomposed step, the template's output, a chain of thought's reasoning, or its answer.
 *
 * @param kind what the call produces
 * @param name the step's name for {@link Kind#STEP}; otherwise the kind's id
 */
public record CallPart(Kind kind, String name) {
    public enum Kind {
        /** One sub-task of a decomposed template. */
        STEP,
        /** The template's own prompt (the only call of a plain run, or the call after the steps). */
        OUTPUT,
        /** Chain-of-thought reasoning (in the one-call modes, reasoning and answer together). */
        REASONING,
        /** Answer extraction (two-stage chain of thought; the direct answer without reasoning). */
        ANSWER;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final CallPart OUTPUT = new CallPart(Kind.OUTPUT, "final");
    public static final CallPart REASONING = new CallPart(Kind.REASONING, "reasoning");
    public static final CallPart ANSWER = new CallPart(Kind.ANSWER, "answer");

    public static CallPart step(String name) {
        return new CallPart(Kind.STEP, name);
    }
}
