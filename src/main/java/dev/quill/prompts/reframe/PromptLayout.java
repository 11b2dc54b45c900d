package dev.quill.prompts.reframe;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The parts of a prompt source that the reframing rules and the linter work on. Lines are one of:
 * blank, list item, field ("Review: {review}", "Answer:"), template line (a Qute section tag or a
 * lone expression), heading, or prose. Consecutive prose lines form an instruction unit; only
 * instruction units are itemized, and additions go after the last unit.
 */
public final class PromptLayout {
    public enum LineKind { BLANK, LIST_ITEM, FIELD, TEMPLATE, HEADING, PROSE }

    /** A run of consecutive lines of the same kind (prose or list), with its character span. */
    public record Unit(LineKind kind, int start, int end, String text) {
    }

    static final Pattern LIST_ITEM = Pattern.compile("\\s*(?:[-*•]|\\d{1,3}[.)])\\s+\\S.*");
    /** A label of at most four words ("Student answer:", "Answer (Yes or No):"), then nothing, a Qute expression, or a short value. */
    static final Pattern FIELD = Pattern.compile("\\s*[A-Z][\\w()/'’-]*(?:\\s+[\\w()/'’-]+){0,3}:(?:\\s*|\\s*\\{[^}]*}.*|\\s+\\S{1,40})");
    static final Pattern TEMPLATE = Pattern.compile("\\s*(?:\\{[#/!].*|\\{[^}]*}\\s*)");
    static final Pattern HEADING = Pattern.compile("\\s*#{1,6}\\s.*");

    private final String text;
    private final List<Unit> units;

    private PromptLayout(String text, List<Unit> units) {
        this.text = text;
        this.units = units;
    }

    public static PromptLayout of(String text) {
        List<Unit> units = new ArrayList<>();
        int pos = 0;
        LineKind runKind = null;
        int runStart = 0;
        int runEnd = 0;
        while (pos <= text.length()) {
            int nl = text.indexOf('\n', pos);
            int lineEnd = nl < 0 ? text.length() : nl;
            String line = text.substring(pos, lineEnd);
            LineKind kind = classify(line);
            // Each list item is its own unit; prose lines join into one unit.
            boolean continues = kind == LineKind.PROSE && runKind == LineKind.PROSE;
            if (!continues) {
                if (runKind != null) {
                    units.add(new Unit(runKind, runStart, runEnd, text.substring(runStart, runEnd)));
                    runKind = null;
                }
                if (kind == LineKind.PROSE || kind == LineKind.LIST_ITEM) {
                    runKind = kind;
                    runStart = pos;
                }
            }
            if (runKind != null) {
                runEnd = lineEnd;
            }
            if (nl < 0) {
                break;
            }
            pos = nl + 1;
        }
        if (runKind != null) {
            units.add(new Unit(runKind, runStart, runEnd, text.substring(runStart, runEnd)));
        }
        return new PromptLayout(text, List.copyOf(units));
    }

    public static LineKind classify(String line) {
        if (line.isBlank()) {
            return LineKind.BLANK;
        }
        if (HEADING.matcher(line).matches()) {
            return LineKind.HEADING;
        }
        if (TEMPLATE.matcher(line).matches()) {
            return LineKind.TEMPLATE;
        }
        if (LIST_ITEM.matcher(line).matches()) {
            return LineKind.LIST_ITEM;
        }
        if (FIELD.matcher(line).matches()) {
            return LineKind.FIELD;
        }
        return LineKind.PROSE;
    }

    public String text() {
        return text;
    }

    /** Prose and list-item units, in order. */
    public List<Unit> units() {
        return units;
    }

    public List<Unit> proseUnits() {
        return units.stream().filter(u -> u.kind() == LineKind.PROSE).toList();
    }

    /**
     * Where additions to the instructions go: the end of the last prose or list unit, or 0. An
     * instruction ending in ':' introduces what follows it ("Summarise this text:\n{text}"), so the
     * additions go after that introduced block, at the next blank line.
     */
    public int instructionEnd() {
        if (units.isEmpty()) {
            return 0;
        }
        int end = units.getLast().end();
        if (units.getLast().text().stripTrailing().endsWith(":")) {
            int blank = text.indexOf("\n\n", end);
            end = blank < 0 ? text.stripTrailing().length() : blank;
        }
        return end;
    }

    /**
     * Inserts a paragraph after the instructions, separated by blank lines from what comes before
     * and after it.
     */
    public static String insertAfterInstructions(String text, String paragraph) {
        int pos = of(text).instructionEnd();
        if (pos == 0) {
            return text.isEmpty() ? paragraph : paragraph + "\n\n" + text.stripLeading();
        }
        String before = text.substring(0, pos);
        String after = text.substring(pos).replaceFirst("^\\s*\\n", "");
        return before + "\n\n" + paragraph + (after.isBlank() ? "" : "\n\n" + after);
    }

    /**
     * Adds instructions after the existing ones: as further items when the instructions end in a
     * bulleted list (so an itemized prompt stays one list), otherwise as a paragraph with one
     * instruction per line.
     */
    public static String appendInstructions(String text, List<String> sentences) {
        if (sentences.isEmpty()) {
            return text;
        }
        PromptLayout layout = of(text);
        if (!layout.units.isEmpty() && layout.units.getLast().kind() == LineKind.LIST_ITEM) {
            Unit last = layout.units.getLast();
            String marker = last.text().strip().startsWith("*") ? "* " : "- ";
            StringBuilder items = new StringBuilder();
            for (String s : sentences) {
                items.append('\n').append(marker).append(s);
            }
            return text.substring(0, last.end()) + items + text.substring(last.end());
        }
        return insertAfterInstructions(text, String.join("\n", sentences));
    }

    /** Text that Qute outputs literally: every '{' escaped, so user text inserted into a template cannot act as a tag. */
    public static String quteLiteral(String s) {
        return s.replace("{", "\\{");
    }
}
