package dev.quill.prompts;

/**
 * One sub-task of a decomposed template. Steps run in order; the output of each is available to
 * the later steps (and to the final body) as the variable named after the step.
 */
public record Step(String name, String body) {
    public Step {
        Names.requireIdentifier("step name", name);
        body = Text.normalizeBody(body == null ? "" : body);
        if (body.isEmpty()) {
            throw new InvalidTemplateException("steps." + name, "a step needs a body");
        }
    }
}
