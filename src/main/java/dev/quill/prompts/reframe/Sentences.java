package dev.quill.prompts.reframe;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits instruction prose into sentences, with their offsets. Knows common abbreviations
 * ("e.g.", "i.e.", "etc."), decimals ("3.5") and never splits inside a Qute tag ({@code {...}}).
 * A line break ends a sentence when the next line starts with a capital letter and the line does
 * not end mid-phrase (comma, colon, ...), so hand-written one-instruction-per-line text splits too.
 */
public final class Sentences {
    /** One sentence: its text (trimmed, line breaks folded to spaces) and its span in the source. */
    public record Sentence(String text, int start, int end) {
    }

    private static final Set<String> ABBREVIATIONS = Set.of("e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof",
            "st", "no", "fig", "approx", "cf", "al", "inc", "ltd", "jr", "sr", "u.s", "a.m", "p.m");

    private Sentences() {
    }

    public static List<Sentence> split(String text) {
        List<Sentence> out = new ArrayList<>();
        int start = skipSpace(text, 0);
        int depth = 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && depth > 0) {
                depth--;
            }
            if (depth > 0) {
                continue;
            }
            boolean boundary = false;
            int end = i + 1;
            if ((c == '.' || c == '!' || c == '?') && isTerminal(text, i)) {
                // Include closing quotes or brackets that belong to the sentence.
                while (end < text.length() && "\"')]”’".indexOf(text.charAt(end)) >= 0) {
                    end++;
                }
                boundary = end >= text.length() || Character.isWhitespace(text.charAt(end));
            } else if (c == '\n' && lineBreakEndsSentence(text, i)) {
                boundary = true;
                end = i;
            }
            if (boundary) {
                add(out, text, start, end);
                start = skipSpace(text, end);
                i = Math.max(i, start - 1);
            }
        }
        add(out, text, start, text.length());
        return out;
    }

    private static void add(List<Sentence> out, String text, int start, int end) {
        int e = end;
        while (e > start && Character.isWhitespace(text.charAt(e - 1))) {
            e--;
        }
        if (e > start) {
            out.add(new Sentence(text.substring(start, e).replaceAll("\\s*\\n\\s*", " "), start, e));
        }
    }

    private static boolean isTerminal(String text, int i) {
        char c = text.charAt(i);
        if (c != '.') {
            return true;
        }
        // "3.5", "...": not an end unless followed by space.
        if (i + 1 < text.length() && !Character.isWhitespace(text.charAt(i + 1)) && "\"')]”’".indexOf(text.charAt(i + 1)) < 0) {
            return false;
        }
        int w = i;
        while (w > 0 && (Character.isLetter(text.charAt(w - 1)) || text.charAt(w - 1) == '.')) {
            w--;
        }
        String original = text.substring(w, i);
        String word = original.toLowerCase(java.util.Locale.ROOT);
        if (ABBREVIATIONS.contains(word)) {
            // "etc." often ends a sentence; treat it as an end when a capital letter follows.
            return word.equals("etc") && nextIsCapital(text, i + 1);
        }
        // A single capital letter followed by '.' is an initial ("J. Smith") unless it closes a choice "(A)."
        return !(original.length() == 1 && Character.isUpperCase(original.charAt(0)) && nextIsCapital(text, i + 1));
    }

    private static boolean nextIsCapital(String text, int from) {
        int j = skipSpace(text, from);
        return j < text.length() && Character.isUpperCase(text.charAt(j));
    }

    private static boolean lineBreakEndsSentence(String text, int i) {
        int p = i - 1;
        while (p >= 0 && (text.charAt(p) == ' ' || text.charAt(p) == '\t')) {
            p--;
        }
        if (p < 0 || ",;:-(–—".indexOf(text.charAt(p)) >= 0 || ".!?".indexOf(text.charAt(p)) >= 0) {
            // Terminal punctuation is handled as its own boundary; mid-phrase punctuation continues.
            return false;
        }
        int n = skipSpace(text, i + 1);
        return n < text.length() && (Character.isUpperCase(text.charAt(n)) || text.charAt(n) == '{');
    }

    private static int skipSpace(String text, int from) {
        int j = from;
        while (j < text.length() && Character.isWhitespace(text.charAt(j))) {
            j++;
        }
        return j;
    }
}
