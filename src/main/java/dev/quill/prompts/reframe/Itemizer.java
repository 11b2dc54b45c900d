package dev.quill.prompts.reframe;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The itemize rule: each instruction paragraph of two or more sentences becomes a bulleted list
 * with one instruction per item, and negative statements become positive ones where
 * {@link NegationRewriter} knows the pattern (others are flagged). Existing list items get the
 * negation rewrite only. Field lines ("Review: {review}"), template tags and headings are untouched.
 */
public final class Itemizer {
    public record Result(String text, List<Change> changes) {
    }

    private static final Pattern LIST_MARKER = Pattern.compile("^(\\s*(?:[-*•]|\\d{1,3}[.)])\\s+)(.*)$");

    private Itemizer() {
    }

    public static Result apply(String source, String location) {
        PromptLayout layout = PromptLayout.of(source);
        List<Change> changes = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        int pos = 0;
        for (PromptLayout.Unit unit : layout.units()) {
            out.append(source, pos, unit.start());
            String replacement = unit.kind() == PromptLayout.LineKind.PROSE
                    ? itemizeParagraph(unit.text(), location, changes)
                    : rewriteListItem(unit.text(), location, changes);
            out.append(replacement);
            pos = unit.end();
        }
        out.append(source, pos, source.length());
        return new Result(out.toString(), changes);
    }

    private static String itemizeParagraph(String paragraph, String location, List<Change> allChanges) {
        // The paragraph's own change goes first, then the rewrites of its sentences.
        List<Change> changes = new ArrayList<>();
        List<String> items = new ArrayList<>();
        boolean rewrote = false;
        for (Sentences.Sentence s : Sentences.split(paragraph)) {
            List<String> clauses = NegationRewriter.isNegative(s.text()) ? NegationRewriter.splitClauses(s.text()) : List.of(s.text());
            for (String clause : clauses) {
                String positive = positive(clause, location, changes);
                rewrote |= !positive.equals(clause);
                items.add(positive);
            }
        }
        if (items.size() >= 2) {
            String bullets = String.join("\n", items.stream().map(i -> "- " + i).toList());
            allChanges.add(new Change(ReframeRule.ITEMIZE, Change.Type.EDIT, location, paragraph, bullets,
                    "paragraph of " + items.size() + " instructions turned into a bulleted list, one instruction per item"));
            allChanges.addAll(changes);
            return bullets;
        }
        allChanges.addAll(changes);
        return rewrote ? items.getFirst() : paragraph;
    }

    private static String rewriteListItem(String line, String location, List<Change> changes) {
        Matcher m = LIST_MARKER.matcher(line);
        if (!m.matches()) {
            return line;
        }
        return m.group(1) + positive(m.group(2), location, changes);
    }

    /** The clause, rewritten positively when it is negative and a rule matches; flagged otherwise. */
    private static String positive(String clause, String location, List<Change> changes) {
        if (!NegationRewriter.isNegative(clause)) {
            return clause;
        }
        Optional<String> rewritten = NegationRewriter.rewrite(clause);
        if (rewritten.isPresent()) {
            changes.add(new Change(ReframeRule.ITEMIZE, Change.Type.EDIT, location, clause, rewritten.get(),
                    "negative statement turned into a positive one (rule " + NegationRewriter.ruleFor(clause).orElseThrow() + ")"));
            return rewritten.get();
        }
        changes.add(new Change(ReframeRule.ITEMIZE, Change.Type.FLAG, location, clause, clause,
                "negative statement with no known positive form: say what to do instead"));
        return clause;
    }
}
