package dev.quill.prompts.reframe;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns negative instructions into positive ones (Mishra et al. 2022: "Don't create questions that
 * are not answerable" → "Create questions that are answerable"). Works on one sentence or clause
 * at a time, with the table {@link #RULES}; a negative sentence no rule matches is reported as
 * negative but left alone, because a wrong rewrite is worse than none.
 */
public final class NegationRewriter {
    /** An imperative negation at the start of a clause. */
    private static final String NEG = "(?:please\\s+)?(?:do\\s+not|don['’]t|dont|never|you\\s+(?:should|must)\\s+not|you\\s+(?:shouldn['’]t|mustn['’]t))\\s+";

    /**
     * Any imperative negation in a sentence: "do not", "don't", "never", "avoid", "must not",
     * "should not" (and contractions), or a sentence starting "No ..." ("No explanations.").
     */
    public static final Pattern NEGATIVE = Pattern.compile(
            "(?i)\\b(?:do\\s+not|don['’]t|never|avoid(?:ing)?|must\\s+not|mustn['’]t|should\\s+not|shouldn['’]t)\\b|^\\s*no\\s+\\w+");

    private static final String UNIT = "(words?|sentences?|paragraphs?|items?|bullet points?|bullets?|lines?|characters?|questions?|tokens?)";

    /** One row of the rewrite table: what it matches, what it produces, and a readable pattern for docs. */
    public record Rule(String id, Pattern pattern, Function<Matcher, String> rewrite, String example) {
    }

    private static final Map<String, String> ANTONYMS = Map.ofEntries(
            Map.entry("vague", "specific"), Map.entry("verbose", "concise"), Map.entry("wordy", "concise"),
            Map.entry("long", "brief"), Map.entry("lengthy", "brief"), Map.entry("too long", "brief"),
            Map.entry("rude", "polite"), Map.entry("informal", "formal"), Map.entry("ambiguous", "clear"),
            Map.entry("unclear", "clear"), Map.entry("technical", "plain-spoken"), Map.entry("negative", "constructive"),
            Map.entry("repetitive", "varied"), Map.entry("biased", "neutral"), Map.entry("subjective", "objective"));

    public static final List<Rule> RULES = List.of(
            rule("only-given-information",
                    NEG + "(?:use|include|add|rely on|mention)\\s+(?:any\\s+)?(information|facts|details|knowledge)\\s+(?:that\\s+(?:is|are)\\s+|which\\s+(?:is|are)\\s+)?not\\s+((?:given\\s+|stated\\s+|mentioned\\s+|found\\s+|contained\\s+|present\\s+)?(?:in|from)\\s+.+?)",
                    m -> "Use only " + m.group(1) + " " + m.group(2) + ".",
                    "Do not use information that is not in the passage. → Use only information in the passage."),
            rule("double-negative",
                    NEG + "(\\w+)\\s+(.+?)\\s+(that|which|who)\\s+(is|are|can\\s+be|could\\s+be|will\\s+be)\\s+not\\s+(.+?)",
                    m -> cap(m.group(1)) + " " + m.group(2) + " " + m.group(3) + " " + m.group(4) + " " + m.group(5) + ".",
                    "Don't create questions that are not answerable. → Create questions that are answerable."),
            rule("length-limit",
                    NEG + "(?:use|write|give|exceed|go\\s+over)\\s+(?:more\\s+than\\s+|over\\s+)?(\\d+|one|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|a\\s+hundred)\\s+" + UNIT,
                    m -> "Use at most " + m.group(1) + " " + m.group(2) + ".",
                    "Don't write more than 50 words. → Use at most 50 words."),
            rule("no-explanations",
                    "(?:" + NEG + "(?:include|add|give|provide|write|output)\\s+(?:any\\s+)?|" + NEG + "|no\\s+)(?:explanations?|explain(?:\\s+(?:your|the)\\s+(?:answer|reasoning|choice))?|reasons?|reasoning|commentary|comments|extra\\s+text|additional\\s+text|preamble|introductions?)(?:\\s+.*)?",
                    m -> "Give only the answer.",
                    "Do not include explanations. → Give only the answer."),
            rule("remember",
                    NEG + "(?:forget|fail|neglect)\\s+to\\s+(.+?)",
                    m -> cap(m.group(1)) + ".",
                    "Don't forget to cite the source. → Cite the source."),
            rule("no-invention",
                    NEG + "(?:make\\s+up|invent|fabricate|guess|hallucinate|speculate)(?:\\s+.*)?",
                    m -> "Use only facts stated in the input.",
                    "Never make up facts. → Use only facts stated in the input."),
            rule("no-repetition",
                    "(?:" + NEG + "repeat|(?:please\\s+)?avoid\\s+repeating)\\s+(yourself|(?:the\\s+same\\s+|any\\s+)?(?:information|facts?|points?|ideas?|words?|questions?))",
                    m -> "Mention each " + singular(m.group(1)) + " only once.",
                    "Do not repeat the same point. → Mention each point only once."),
            rule("be-adjective",
                    "(?:" + NEG + "be|(?:please\\s+)?avoid\\s+being)\\s+(?:too\\s+|overly\\s+)?(vague|verbose|wordy|long|lengthy|rude|informal|ambiguous|unclear|technical|negative|repetitive|biased|subjective)",
                    m -> "Be " + ANTONYMS.get(m.group(1).toLowerCase(Locale.ROOT)) + ".",
                    "Don't be verbose. → Be concise."),
            rule("plain-words",
                    "(?:" + NEG + "use|(?:please\\s+)?avoid(?:\\s+using)?)\\s+(?:any\\s+)?(?:jargon|technical\\s+terms|technical\\s+language|slang|complicated\\s+words|big\\s+words)",
                    m -> "Use plain, everyday words.",
                    "Avoid jargon. → Use plain, everyday words."),
            rule("short-things",
                    "(?:please\\s+)?avoid\\s+(?:long|lengthy)\\s+(sentences|answers|paragraphs|summaries|responses)",
                    m -> "Keep " + m.group(1) + " short.",
                    "Avoid long sentences. → Keep sentences short."),
            rule("omit",
                    NEG + "(?:include|mention|add|list)\\s+(.+?)",
                    m -> "Omit " + m.group(1) + ".",
                    "Do not include personal names. → Omit personal names."),
            rule("avoid-thing",
                    "(?:please\\s+)?avoid\\s+(?!being\\b|repeating\\b|using\\b)(.+?)",
                    m -> "Leave out " + m.group(1) + ".",
                    "Avoid emojis. → Leave out emojis."));

    private static Rule rule(String id, String regex, Function<Matcher, String> rewrite, String example) {
        // Whole clause, case-insensitive, optional final punctuation.
        return new Rule(id, Pattern.compile("(?i)^\\s*" + regex + "\\s*[.!]?\\s*$"), rewrite, example);
    }

    private NegationRewriter() {
    }

    public static boolean isNegative(String sentence) {
        return NEGATIVE.matcher(sentence).find();
    }

    /** The positive rewrite of a negative clause, or empty when no rule of the table matches. */
    public static Optional<String> rewrite(String clause) {
        for (Rule r : RULES) {
            Matcher m = r.pattern().matcher(clause);
            if (m.matches()) {
                return Optional.of(r.rewrite().apply(m));
            }
        }
        return Optional.empty();
    }

    /** The id of the rule that rewrites the clause, for explanations. */
    public static Optional<String> ruleFor(String clause) {
        return RULES.stream().filter(r -> r.pattern().matcher(clause).matches()).map(Rule::id).findFirst();
    }

    /** Splits "Answer the question, but do not explain." into "Answer the question." and "Do not explain.". */
    private static final Pattern CLAUSE_BREAK = Pattern.compile(
            "(?i)\\s*(?:,|;)?\\s+(?:but|and)\\s+(?=(?:please\\s+)?(?:do\\s+not|don['’]t|never|avoid)\\b)|\\s*;\\s+(?=(?:please\\s+)?(?:do\\s+not|don['’]t|never|avoid)\\b)");

    public static List<String> splitClauses(String sentence) {
        List<String> out = new ArrayList<>();
        Matcher m = CLAUSE_BREAK.matcher(sentence);
        int start = 0;
        String ending = sentence.matches("(?s).*[.!?]\\s*$") ? sentence.strip().substring(sentence.strip().length() - 1) : ".";
        while (m.find()) {
            String part = sentence.substring(start, m.start()).strip();
            if (!part.isEmpty()) {
                out.add(cap(part.matches("(?s).*[.!?]$") ? part : part + "."));
            }
            start = m.end();
        }
        String last = sentence.substring(start).strip();
        if (!last.isEmpty()) {
            out.add(cap(last.matches("(?s).*[.!?]$") ? last : last + ending));
        }
        return out;
    }

    /** "the same points" → "point", "information" → "piece of information", "yourself" → "thing". */
    private static String singular(String phrase) {
        String w = phrase.replaceFirst("(?i)^(?:the\\s+same\\s+|any\\s+)", "").toLowerCase(Locale.ROOT);
        if (w.equals("yourself")) {
            return "thing";
        }
        if (w.equals("information")) {
            return "piece of information";
        }
        return w.endsWith("s") ? w.substring(0, w.length() - 1) : w;
    }

    static String cap(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
