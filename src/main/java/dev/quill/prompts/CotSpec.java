package dev.quill.prompts;

/**
 * The chain-of-thought setting a template suggests (the UI and API can override it).
 *
 * @param mode         off, zero-shot, two-stage or few-shot
 * @param trigger      the reasoning trigger; null for Kojima's best, "Let's think step by step."
 * @param answerFormat how the final answer is extracted and cleaned; null for free text
 */
public record CotSpec(CotMode mode, String trigger, AnswerFormat answerFormat) {
    public CotSpec {
        if (mode == null) {
            throw new InvalidTemplateException("cot.mode", "is required: off, zero-shot, two-stage or few-shot");
        }
        trigger = trigger == null || trigger.isBlank() ? null : trigger.strip();
    }
}
