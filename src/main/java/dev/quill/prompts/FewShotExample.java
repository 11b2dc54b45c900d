package dev.quill.prompts;

/** A worked example: the input, the expected output and, for few-shot chain-of-thought, the reasoning. */
public record FewShotExample(String input, String output, String rationale) {
    public FewShotExample {
        input = Text.normalizeBody(input == null ? "" : input);
        output = Text.normalizeBody(output == null ? "" : output);
        rationale = rationale == null || rationale.isBlank() ? null : Text.normalizeBody(rationale);
        if (input.isEmpty() || output.isEmpty()) {
            throw new InvalidTemplateException("examples", "an example needs both input and output");
        }
    }

    public FewShotExample(String input, String output) {
        this(input, output, null);
    }
}
