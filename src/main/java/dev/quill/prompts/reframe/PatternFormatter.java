package dev.quill.prompts.reframe;

import dev.quill.prompts.FewShotExample;

import java.util.ArrayList;
import java.util.List;

/**
 * The pattern rule: few-shot examples in one consistent format, so that the model sees the
 * low-level pattern of input and output instead of a description of it:
 * <pre>
 * Input: text of the input
 * Output: the expected output
 * </pre>
 * An input or output of several lines starts on the line after its label. With rationales (few-shot
 * chain-of-thought) a "Reasoning:" line comes between input and output.
 */
public final class PatternFormatter {
    private PatternFormatter() {
    }

    public static String format(List<FewShotExample> examples, boolean withRationales) {
        List<String> blocks = new ArrayList<>();
        for (FewShotExample e : examples) {
            StringBuilder b = new StringBuilder();
            b.append(field("Input", e.input()));
            if (withRationales && e.rationale() != null) {
                b.append('\n').append(field("Reasoning", e.rationale()));
            }
            b.append('\n').append(field("Output", e.output()));
            blocks.add(b.toString());
        }
        return String.join("\n\n", blocks);
    }

    private static String field(String label, String value) {
        return value.indexOf('\n') >= 0 ? label + ":\n" + value : label + ": " + value;
    }
}
