package dev.quill.prompts.lint;

import dev.quill.prompts.MessageTemplate;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.Role;
import dev.quill.prompts.Step;
import dev.quill.prompts.reframe.Itemizer;
import dev.quill.prompts.reframe.NegationRewriter;
import dev.quill.prompts.reframe.PromptLayout;
import dev.quill.prompts.reframe.Sentences;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds what Mishra et al.'s reframings would fix, with positions and suggested rewrites. Only
 * instruction text is checked (prose and list items, see {@link PromptLayout}); inputs such as
 * "Review: {review}" lines are not.
 *
 * <table>
 *   <caption>Rules</caption>
 *   <tr><th>id</th><th>finds</th></tr>
 *   <tr><td>negative-statement</td><td>a sentence or item with "do not", "don't", "never", "avoid", "must not",
 *       "should not" or starting "No ..."; the suggestion is the positive rewrite when the table of
 *       {@link NegationRewriter} has one</td></tr>
 *   <tr><td>long-paragraph</td><td>an instruction paragraph of more than {@value #MAX_SENTENCES} sentences or
 *       more than {@value #MAX_WORDS} words; the suggestion is the itemized list</td></tr>
 *   <tr><td>no-output-constraint</td><td>nothing in the prompt says what the answer must look like (see
 *       {@link #CONSTRAINT}); reported at the end of the text</td></tr>
 *   <tr><td>multiple-tasks</td><td>a sentence that starts with a task verb and chains another with
 *       "and", "then", "and then", "also", "as well as", "after that" or "finally"; or a paragraph
 *       asking several questions (two or more '?'); the suggestion is the numbered sub-tasks</td></tr>
 *   <tr><td>vague-term</td><td>a word from {@link #VAGUE_TERMS} or {@link #BACKGROUND_TERMS}</td></tr>
 * </table>
 */
public final class PromptLinter {
    public static final int MAX_SENTENCES = 3;
    public static final int MAX_WORDS = 60;

    /** Words the model has to guess the meaning of. */
    public static final List<String> VAGUE_TERMS = List.of("appropriate", "appropriately", "relevant", "good", "some", "etc.",
            "etc", "as needed", "as necessary", "if necessary", "properly", "proper", "suitable", "adequate", "adequately",
            "reasonable", "reasonably", "various", "certain", "interesting", "nice", "stuff", "things", "and so on",
            "high-quality", "high quality", "meaningful", "significant", "optimal", "a few", "enough", "sufficient",
            "sufficiently", "normal", "usual", "typical", "engaging");
    /** Terms that assume background knowledge (NLP jargon): show the pattern instead. */
    public static final List<String> BACKGROUND_TERMS = List.of("factoid", "salient", "coherent", "coherence", "entailment",
            "entails", "NER", "named entity", "named entities", "canonical", "well-formed", "grounded", "SOTA",
            "abstractive", "extractive", "anaphora", "coreference", "slot filling", "paraphrase-mined");

    /** Verbs that start a task; used to spot several tasks chained in one sentence. */
    public static final List<String> TASK_VERBS = List.of("read", "write", "summarize", "summarise", "translate", "classify",
            "extract", "list", "answer", "generate", "create", "find", "identify", "explain", "describe", "compare",
            "rewrite", "correct", "check", "evaluate", "rate", "rank", "count", "compute", "calculate", "solve", "give",
            "provide", "determine", "decide", "choose", "select", "label", "tag", "convert", "format", "output", "return",
            "make", "suggest", "propose", "outline", "draft", "edit", "review", "grade", "score", "verify", "analyze",
            "analyse", "name", "state", "predict", "estimate", "sort", "group", "fill", "highlight", "title", "ask");

    /** What counts as an output constraint when it appears anywhere in the prompt. */
    public static final Pattern CONSTRAINT = Pattern.compile("(?i)\\b(?:answer|respond|reply)\\s+(?:with|in|using|only)\\b"
            + "|\\bat\\s+most\\b|\\bno\\s+more\\s+than\\b|\\bup\\s+to\\s+\\d+|\\bone\\s+of\\b|\\byes\\s+or\\s+no\\b|\\btrue\\s+or\\s+false\\b"
            + "|\\b(?:\\d+|one|two|three|four|five|six|seven|eight|nine|ten)\\s+(?:words?|sentences?|bullet|items?|questions?|lines?|paragraphs?|characters?|labels?)\\b"
            + "|\\bjson\\b|\\bformat\\b|\\bonly\\b|\\bexactly\\b|\\bsingle\\s+(?:word|sentence|number|letter|label)\\b"
            + "|\\bone\\s+per\\s+line\\b|\\b(?:bulleted|numbered)\\s+list\\b|\\bas\\s+a\\s+list\\b");

    private static final Pattern TERM_PATTERN = termPattern();
    private static final Pattern CHAIN = Pattern.compile("(?i)(?:,\\s*|\\s+)(?:and\\s+then|and\\s+also|as\\s+well\\s+as|after\\s+that,?|and\\s+finally|then|also|finally|and)\\s+(?:also\\s+)?("
            + String.join("|", TASK_VERBS) + ")\\b");
    private static final Pattern FIRST_WORD = Pattern.compile("^(?:please\\s+)?([A-Za-z]+)", Pattern.CASE_INSENSITIVE);

    private static Pattern termPattern() {
        List<String> all = new ArrayList<>(VAGUE_TERMS);
        all.addAll(BACKGROUND_TERMS);
        // Longest first so "named entities" wins over "named entity".
        all.sort(Comparator.comparingInt(String::length).reversed());
        StringBuilder alt = new StringBuilder();
        for (String t : all) {
            if (!alt.isEmpty()) {
                alt.append('|');
            }
            String q = Pattern.quote(t);
            alt.append(t.endsWith(".") ? q : q + "\\b");
        }
        return Pattern.compile("(?<![\\w-])(?:" + alt + ")", Pattern.CASE_INSENSITIVE);
    }

    private PromptLinter() {
    }

    /** Lints one prompt text, all rules. */
    public static List<LintFinding> lint(String text) {
        List<LintFinding> out = lintInstructions(text, "prompt");
        if (!CONSTRAINT.matcher(text).find()) {
            out.add(noConstraint(text, "prompt"));
        }
        return sorted(out);
    }

    /**
     * Lints every system and user body and every step of a template. No output constraint is only
     * reported when the template declares no constraints and no chain-of-thought answer format either.
     */
    public static List<LintFinding> lint(PromptTemplate t) {
        List<LintFinding> out = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        for (Step s : t.steps()) {
            out.addAll(lintInstructions(s.body(), "step " + s.name()));
        }
        String last = null;
        String lastLocation = null;
        if (!t.body().isEmpty()) {
            out.addAll(lintInstructions(t.body(), "prompt"));
            all.append(t.body()).append('\n');
            last = t.body();
            lastLocation = "prompt";
        }
        for (int i = 0; i < t.messages().size(); i++) {
            MessageTemplate m = t.messages().get(i);
            if (m.role() != Role.ASSISTANT) {
                String loc = "message " + (i + 1) + " (" + m.role().id() + ")";
                out.addAll(lintInstructions(m.body(), loc));
                all.append(m.body()).append('\n');
                if (m.role() == Role.USER || last == null) {
                    last = m.body();
                    lastLocation = loc;
                }
            }
        }
        if (last == null && !t.steps().isEmpty()) {
            last = t.steps().getLast().body();
            lastLocation = "step " + t.steps().getLast().name();
            all.append(last);
        }
        // A chain-of-thought answer format constrains the answer too: it is extracted and cleaned.
        boolean declared = !t.constraints().isEmpty() || (t.cot() != null && t.cot().answerFormat() != null);
        if (!declared && last != null && !CONSTRAINT.matcher(all).find()) {
            out.add(noConstraint(last, lastLocation));
        }
        return out;
    }

    private static List<LintFinding> sorted(List<LintFinding> findings) {
        findings.sort(Comparator.comparingInt(LintFinding::start).thenComparing(LintFinding::rule));
        return findings;
    }

    private static LintFinding noConstraint(String text, String location) {
        return new LintFinding("no-output-constraint", location, text.length(), text.length(), "",
                "nothing says what the answer must look like (length, format or allowed answers)",
                "Add an explicit constraint, e.g. \"Answer in at most 20 words.\" or \"Answer with Yes or No.\","
                        + " or declare constraints in the template");
    }

    private static List<LintFinding> lintInstructions(String text, String location) {
        List<LintFinding> out = new ArrayList<>();
        for (PromptLayout.Unit unit : PromptLayout.of(text).units()) {
            if (unit.kind() == PromptLayout.LineKind.LIST_ITEM) {
                Matcher m = Pattern.compile("^\\s*(?:[-*•]|\\d{1,3}[.)])\\s+").matcher(unit.text());
                int offset = unit.start() + (m.find() ? m.end() : 0);
                String item = text.substring(offset, unit.end()).strip();
                checkSentence(text, location, item, offset, out);
                continue;
            }
            List<Sentences.Sentence> sentences = Sentences.split(unit.text());
            for (Sentences.Sentence s : sentences) {
                checkSentence(text, location, s.text(), unit.start() + s.start(), out);
            }
            int words = unit.text().strip().split("\\s+").length;
            if (sentences.size() > MAX_SENTENCES || words > MAX_WORDS) {
                out.add(new LintFinding("long-paragraph", location, unit.start(), unit.end(), unit.text(),
                        "a paragraph of " + sentences.size() + " sentences and " + words + " words: instructions in prose are easy to miss",
                        Itemizer.apply(unit.text(), location).text()));
            }
            long questions = unit.text().chars().filter(c -> c == '?').count();
            if (questions >= 2) {
                out.add(new LintFinding("multiple-tasks", location, unit.start(), unit.end(), unit.text(),
                        "this paragraph asks " + questions + " questions at once",
                        numbered(sentences.stream().map(Sentences.Sentence::text).filter(t -> t.endsWith("?")).toList())));
            }
        }
        return out;
    }

    private static void checkSentence(String text, String location, String sentence, int start, List<LintFinding> out) {
        int end = start + sentence.length();
        // Sentences.split folds line breaks; map back to the source span by its length in the text.
        end = Math.min(text.length(), Math.max(end, sourceEnd(text, start, sentence)));
        if (NegationRewriter.isNegative(sentence)) {
            out.add(new LintFinding("negative-statement", location, start, end, text.substring(start, end),
                    "negative statement: models follow instructions that say what to do better than what not to do",
                    positiveSuggestion(sentence)));
        }
        Matcher first = FIRST_WORD.matcher(sentence);
        if (first.find() && TASK_VERBS.contains(first.group(1).toLowerCase(Locale.ROOT))) {
            Matcher chain = CHAIN.matcher(sentence);
            List<Integer> cuts = new ArrayList<>();
            List<Integer> verbStarts = new ArrayList<>();
            while (chain.find()) {
                cuts.add(chain.start());
                verbStarts.add(chain.start(1));
            }
            if (!cuts.isEmpty()) {
                List<String> tasks = new ArrayList<>();
                int from = 0;
                for (int i = 0; i < cuts.size(); i++) {
                    tasks.add(sentence.substring(from, cuts.get(i)));
                    from = verbStarts.get(i);
                }
                tasks.add(sentence.substring(from));
                out.add(new LintFinding("multiple-tasks", location, start, end, text.substring(start, end),
                        "one instruction with " + tasks.size() + " tasks: decompose it into steps run one after the other",
                        numbered(tasks)));
            }
        }
        Matcher terms = TERM_PATTERN.matcher(sentence);
        while (terms.find()) {
            if (insideBraces(sentence, terms.start())) {
                continue;
            }
            String term = terms.group();
            int ts = indexInSource(text, start, sentence, terms.start());
            boolean background = BACKGROUND_TERMS.stream().anyMatch(b -> b.equalsIgnoreCase(term));
            // Acronyms count only in capitals ("NER", not the name "Ner").
            if ((term.equalsIgnoreCase("ner") || term.equalsIgnoreCase("sota")) && !term.equals(term.toUpperCase(Locale.ROOT))) {
                continue;
            }
            out.add(new LintFinding("vague-term", location, ts, ts + term.length(), text.substring(ts, ts + term.length()),
                    background ? "'" + term + "' assumes background knowledge the model may not share"
                            : "'" + term + "' is vague: the model has to guess what it means here",
                    background ? "Show what you mean with an example input and output instead of the term"
                            : "Replace '" + term + "' with the concrete criterion (a number, a list, a format) or show an example"));
        }
    }

    private static String positiveSuggestion(String sentence) {
        List<String> parts = new ArrayList<>();
        for (String clause : NegationRewriter.splitClauses(sentence)) {
            if (!NegationRewriter.isNegative(clause)) {
                parts.add(clause);
                continue;
            }
            Optional<String> r = NegationRewriter.rewrite(clause);
            if (r.isEmpty()) {
                return "Say what to do instead of what not to do";
            }
            parts.add(r.get());
        }
        return String.join(" ", parts);
    }

    private static String numbered(List<String> tasks) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            String t = tasks.get(i).strip().replaceAll("[,;]$", "");
            t = Character.toUpperCase(t.charAt(0)) + t.substring(1);
            lines.add((i + 1) + ". " + (t.matches("(?s).*[.!?]$") ? t : t + "."));
        }
        return String.join("\n", lines);
    }

    private static boolean insideBraces(String s, int pos) {
        int open = s.lastIndexOf('{', pos);
        return open >= 0 && s.indexOf('}', open) >= pos;
    }

    /** Where the sentence, whose line breaks Sentences folded to spaces, ends in the source. */
    private static int sourceEnd(String text, int start, String sentence) {
        int i = start;
        int j = 0;
        while (i < text.length() && j < sentence.length()) {
            char c = text.charAt(i);
            char d = sentence.charAt(j);
            if (c == d || (Character.isWhitespace(c) && Character.isWhitespace(d))) {
                if (Character.isWhitespace(c)) {
                    while (i + 1 < text.length() && Character.isWhitespace(text.charAt(i + 1))) {
                        i++;
                    }
                }
                i++;
                j++;
            } else {
                break;
            }
        }
        return i;
    }

    private static int indexInSource(String text, int start, String sentence, int offsetInSentence) {
        return sourceEnd(text, start, sentence.substring(0, offsetInSentence));
    }
}
