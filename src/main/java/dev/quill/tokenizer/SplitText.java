package dev.quill.tokenizer;

/**
 * A text fragment as code points, plus the two one-char-per-code-point views the regex stages
 * run on (built only when a stage needs them).
 */
final class SplitText {
    final int[] codePoints;
    private String collapsed;
    private String raw;

    SplitText(int[] codePoints) {
        this.codePoints = codePoints;
    }

    int length() {
        return codePoints.length;
    }

    /** Every non-ASCII code point replaced by its category stand-in (see llama.cpp PR 6920). */
    String collapsed() {
        if (collapsed == null) {
            char[] chars = new char[codePoints.length];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = UnicodeCategories.collapsed(codePoints[i]);
            }
            collapsed = new String(chars);
        }
        return collapsed;
    }

    /**
     * The code points themselves for regexes without categories (llama.cpp's std::wregex path),
     * with non-ASCII whitespace as \v as there. A supplementary code point, which would need two
     * Java chars, becomes U+FFFF so indices stay code point indices; no supported regex names it.
     */
    String raw() {
        if (raw == null) {
            char[] chars = new char[codePoints.length];
            for (int i = 0; i < chars.length; i++) {
                int cp = codePoints[i];
                if (cp > 0x7F && UnicodeCategories.isWhitespace(cp)) {
                    chars[i] = UnicodeCategories.COLLAPSED_WHITESPACE;
                } else {
                    chars[i] = cp < 0x10000 ? (char) cp : '\uFFFF';
                }
            }
            raw = new String(chars);
        }
        return raw;
    }
}
