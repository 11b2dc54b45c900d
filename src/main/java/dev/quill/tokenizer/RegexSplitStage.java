package dev.quill.tokenizer;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pre-tokenizer step that splits with a regular expression, reproducing llama.cpp's generic
 * path: a regex that uses Unicode categories runs on the "collapsed" text (each non-ASCII code
 * point replaced by one stand-in character per category) with every {@code \p{..}} rewritten to
 * that stand-in plus its ASCII members; other regexes run on the code points directly. Matches and
 * the gaps between them both become chunks.
 */
final class RegexSplitStage implements SplitStage {
    /** Stand-in character and ASCII members of each category, as llama.cpp's k_ucat tables. */
    private static final Map<String, String> CATEGORY_CLASSES = Map.of(
            "\\p{N}", UnicodeCategories.COLLAPSED_NUMBER + "0-9",
            "\\p{L}", UnicodeCategories.COLLAPSED_LETTER + "A-Za-z",
            "\\p{Lu}", UnicodeCategories.COLLAPSED_LETTER + "A-Za-z",
            "\\p{Ll}", UnicodeCategories.COLLAPSED_LETTER + "A-Za-z",
            "\\p{Lt}", UnicodeCategories.COLLAPSED_LETTER + "A-Za-z",
            "\\p{Lm}", UnicodeCategories.COLLAPSED_LETTER + "A-Za-z",
            "\\p{Lo}", UnicodeCategories.COLLAPSED_LETTER + "A-Za-z",
            "\\p{P}", UnicodeCategories.COLLAPSED_PUNCTUATION + "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}",
            "\\p{M}", String.valueOf(UnicodeCategories.COLLAPSED_ACCENT_MARK),
            // llama.cpp's ASCII symbol list has no '~'; kept so matches stay identical
            "\\p{S}", UnicodeCategories.COLLAPSED_SYMBOL + "\\$\\+<->\\^`\\|");

    private final String source;
    private final Pattern pattern;
    private final boolean onCollapsedText;

    RegexSplitStage(String regex) {
        this.source = regex;
        this.onCollapsedText = CATEGORY_CLASSES.keySet().stream().anyMatch(regex::contains);
        this.pattern = Pattern.compile(onCollapsedText ? collapseCategories(regex) : regex);
    }

    /** Rewrites each {@code \p{X}} to its collapsed character class, as llama.cpp does. */
    static String collapseCategories(String regex) {
        StringBuilder out = new StringBuilder(regex.length() * 2);
        boolean insideClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '[' && (i == 0 || regex.charAt(i - 1) != '\\')) {
                out.append('[');
                insideClass = true;
                continue;
            }
            if (insideClass && c == ']' && regex.charAt(i - 1) != '\\') {
                out.append(']');
                insideClass = false;
                continue;
            }
            if (c == '\\' && i + 3 < regex.length() && regex.charAt(i + 1) == 'p' && regex.charAt(i + 2) == '{') {
                int close = regex.indexOf('}', i + 3);
                if (close >= 0 && close <= i + 10) {
                    String members = CATEGORY_CLASSES.get(regex.substring(i, close + 1));
                    if (members != null) {
                        out.append(insideClass ? members : "[" + members + "]");
                        i = close;
                        continue;
                    }
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    @Override
    public IntList refine(SplitText text, IntList chunks) {
        String subject = onCollapsedText ? text.collapsed() : text.raw();
        Matcher matcher = pattern.matcher(subject);
        IntList out = new IntList(chunks.size() * 2);
        int start = 0;
        for (int c = 0; c < chunks.size(); c++) {
            int end = start + chunks.get(c);
            // opaque region bounds: a lookahead cannot see past the chunk, like regex_iterator on a sub-range
            matcher.region(start, end);
            int previousEnd = start;
            while (matcher.find()) {
                if (matcher.end() == matcher.start()) {
                    continue;
                }
                if (matcher.start() > previousEnd) {
                    out.add(matcher.start() - previousEnd);
                }
                out.add(matcher.end() - matcher.start());
                previousEnd = matcher.end();
            }
            if (previousEnd < end) {
                out.add(end - previousEnd);
            }
            start = end;
        }
        return out;
    }

    @Override
    public String toString() {
        return source;
    }
}
