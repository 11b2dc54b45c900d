package dev.quill.prompts.cot;

import dev.quill.prompts.CotMode;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of a chain-of-thought run, with the reasoning and the final answer separately.
 *
 * @param mode      the mode that ran
 * @param reasoning the model's reasoning ("" when the mode has none)
 * @param rawAnswer the text the answer was read from
 * @param answer    the cleaned answer; empty when the text has no answer of the required format
 * @param calls     each model call: prompt and output
 */
public record CotResult(CotMode mode, String reasoning, String rawAnswer, Optional<String> answer, List<Call> calls) {
    public record Call(String prompt, String output) {
    }

    public CotResult {
        calls = List.copyOf(calls);
    }
}
