package dev.quill.prompts.reframe;

import dev.quill.prompts.TaskType;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The specialize rule: drop generic statements that say nothing about the output, and address the
 * instruction directly to the intended output with the task type's instruction form and, for a
 * text prompt, its output cue.
 *
 * <table>
 *   <caption>Instruction forms</caption>
 *   <tr><th>task</th><th>instruction</th><th>cue</th></tr>
 *   <tr><td>classification</td><td>Reply with only the label that fits the input best.</td><td>Label:</td></tr>
 *   <tr><td>extraction</td><td>Reply with only the requested items, copied exactly from the input, one per line.</td><td>Extracted:</td></tr>
 *   <tr><td>qa</td><td>Reply with only the answer to the question, based on the given text.</td><td>Answer:</td></tr>
 *   <tr><td>summarisation</td><td>Reply with only the summary, covering the main points of the input.</td><td>Summary:</td></tr>
 *   <tr><td>generation</td><td>Reply with only the requested text, without an introduction or closing remarks.</td><td>Output:</td></tr>
 * </table>
 */
public final class Specializer {
    public record Result(String text, List<Change> changes) {
    }

    /** Sentences that carry no information about the output (matched whole, case-insensitively). */
    public static final List<Pattern> GENERIC = List.of(
            generic("(?:please\\s+)?read\\s+(?:the\\s+following|the\\s+text|the\\s+passage|the\\s+question|the\\s+instructions|this|everything)(?:\\s+(?:below|carefully|text|passage|question|instructions))*"),
            generic("this\\s+is\\s+an?\\s+(?:\\w+\\s+)?task"),
            generic("(?:you\\s+are|you\\s+will\\s+be)\\s+(?:given|provided\\s+with|shown)\\s+(?:a|an|the|some)\\s+(?:task|instructions?)(?:\\s+below)?"),
            generic("(?:your|the)\\s+(?:task|job|goal)\\s+is\\s+(?:described\\s+|explained\\s+)?(?:below|as\\s+follows)"),
            generic("(?:here\\s+is|below\\s+is|the\\s+following\\s+is)\\s+(?:a|an|the|your)\\s+(?:task|instructions?)"),
            generic("(?:please\\s+)?help\\s+me(?:\\s+with\\s+(?:this|the\\s+following)(?:\\s+task)?)?"),
            generic("(?:please\\s+)?(?:do|try)\\s+your\\s+best"),
            generic("(?:please\\s+)?follow\\s+(?:the|these|my)\\s+instructions(?:\\s+(?:below|carefully))*"),
            generic("(?:it\\s+is|this\\s+is)\\s+(?:very\\s+|really\\s+)?important(?:\\s+that\\s+you\\s+get\\s+(?:this|it)\\s+right)?"),
            generic("(?:good\\s+luck|thank\\s+you|thanks)"),
            generic("you\\s+are\\s+an?\\s+(?:helpful|smart|intelligent|expert)\\s+(?:assistant|ai|ai\\s+assistant|model|language\\s+model)"));

    private static Pattern generic(String regex) {
        return Pattern.compile("(?i)^\\s*" + regex + "\\s*[.!]?\\s*$");
    }

    private Specializer() {
    }

    public static String instructionForm(TaskType type) {
        return switch (type) {
            case CLASSIFICATION -> "Reply with only the label that fits the input best.";
            case EXTRACTION -> "Reply with only the requested items, copied exactly from the input, one per line.";
            case QA -> "Reply with only the answer to the question, based on the given text.";
            case SUMMARISATION -> "Reply with only the summary, covering the main points of the input.";
            case GENERATION -> "Reply with only the requested text, without an introduction or closing remarks.";
        };
    }

    public static String outputCue(TaskType type) {
        return switch (type) {
            case CLASSIFICATION -> "Label:";
            case EXTRACTION -> "Extracted:";
            case QA -> "Answer:";
            case SUMMARISATION -> "Summary:";
            case GENERATION -> "Output:";
        };
    }

    public static boolean isGeneric(String sentence) {
        return GENERIC.stream().anyMatch(p -> p.matcher(sentence).matches());
    }

    /** Removes the generic sentences of the instruction paragraphs. */
    public static Result dropGeneric(String source, String location) {
        List<Change> changes = new ArrayList<>();
        String text = dropGeneric(source, location, changes);
        return new Result(text, changes);
    }

    /**
     * Adds the task type's instruction form after the instructions and, when {@code addCue}, ends
     * the prompt with the output cue (text prompts; a chat reply needs none).
     */
    public static Result address(String source, TaskType type, String location, boolean addCue) {
        List<Change> changes = new ArrayList<>();
        String form = instructionForm(type);
        String text = PromptLayout.appendInstructions(source, List.of(form));
        changes.add(new Change(ReframeRule.SPECIALIZE, Change.Type.ADD, location, "", form,
                "instruction addressed directly to the output of a " + type.id() + " task"));
        if (addCue && !endsWithCue(text)) {
            String cue = outputCue(type);
            text = text.stripTrailing() + "\n\n" + cue;
            changes.add(new Change(ReframeRule.SPECIALIZE, Change.Type.ADD, location, "", cue,
                    "output cue, so the model's first words are the " + type.id() + " output"));
        }
        return new Result(text, changes);
    }

    private static String dropGeneric(String source, String location, List<Change> changes) {
        PromptLayout layout = PromptLayout.of(source);
        StringBuilder out = new StringBuilder();
        int pos = 0;
        for (PromptLayout.Unit unit : layout.proseUnits()) {
            List<String> kept = new ArrayList<>();
            boolean dropped = false;
            for (Sentences.Sentence s : Sentences.split(unit.text())) {
                if (isGeneric(s.text())) {
                    dropped = true;
                    changes.add(new Change(ReframeRule.SPECIALIZE, Change.Type.REMOVE, location, s.text(), "",
                            "generic statement: it says nothing about the output"));
                } else {
                    kept.add(s.text());
                }
            }
            if (dropped) {
                out.append(source, pos, unit.start()).append(String.join(" ", kept));
                pos = unit.end();
            }
        }
        if (pos == 0) {
            return source;
        }
        out.append(source, pos, source.length());
        // Removing a whole paragraph leaves extra blank lines behind.
        return out.toString().replaceAll("\\n{3,}", "\n\n").strip();
    }

    private static boolean endsWithCue(String text) {
        String[] lines = text.stripTrailing().split("\n");
        return lines.length > 0 && lines[lines.length - 1].strip().endsWith(":");
    }
}
