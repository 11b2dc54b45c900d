package dev.quill.prompts;

/** Normalisation shared by every body of text the library stores, so that equal content compares equal. */
public final class Text {
    private Text() {
    }

    /**
     * Line ends become {@code \n}, leading blank lines and trailing whitespace go. Indentation of the
     * first non-blank line is kept because it can matter in a prompt (code, nested lists).
     */
    public static String normalizeBody(String s) {
        if (s == null) {
            return null;
        }
        String t = s.replace("\r\n", "\n").replace('\r', '\n');
        int start = 0;
        int i = 0;
        // Skip whole blank lines only, so the first real line keeps its indentation.
        while (i < t.length()) {
            char c = t.charAt(i);
            if (c == '\n') {
                start = i + 1;
            } else if (c != ' ' && c != '\t') {
                break;
            }
            i++;
        }
        return t.substring(Math.min(start, t.length())).stripTrailing();
    }

    /** Trimmed one-line text, or "" for null. */
    public static String normalizeLine(String s) {
        return s == null ? "" : s.strip();
    }
}
