package dev.quill.prompts.render;

import java.util.List;

/**
 * The result of running a template: every call in order (one for a template without steps) and
 * the final output, which is the last call's.
 */
public record PromptRun(RenderedPrompt rendered, List<StepResult> calls) {
    public PromptRun {
        calls = List.copyOf(calls);
        if (calls.isEmpty()) {
            throw new IllegalArgumentException("a run has at least one call");
        }
    }

    public String output() {
        return calls.getLast().output();
    }
}
