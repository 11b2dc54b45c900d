package dev.quill.tokenizer;

/**
 * The code point classes llama.cpp's pre-tokenizers test: letter ({@code \p{L}}), number
 * ({@code \p{N}}), whitespace ({@code \s}, the Unicode White_Space property) and the "collapsed"
 * one-character stand-ins its std::regex fallback matches against.
 *
 * <p>llama.cpp ships its own tables generated from Python's Unicode database; we ask
 * {@link Character}, so code points assigned in a newer Unicode version than llama.cpp's tables
 * may be classified differently (unassigned there, a letter here). Everything older agrees.
 */
final class UnicodeCategories {
    static final int LETTER = 1;
    static final int NUMBER = 2;
    static final int WHITESPACE = 4;
    /** Set for every code point of the text, so that "no flags" means "outside the text". */
    static final int PRESENT = 8;

    /** Collapsed stand-ins, chosen as llama.cpp does (bytes 0xD0..0xD5, whitespace as \v). */
    static final char COLLAPSED_OTHER = '\u00D0';
    static final char COLLAPSED_NUMBER = '\u00D1';
    static final char COLLAPSED_LETTER = '\u00D2';
    static final char COLLAPSED_PUNCTUATION = '\u00D3';
    static final char COLLAPSED_ACCENT_MARK = '\u00D4';
    static final char COLLAPSED_SYMBOL = '\u00D5';
    static final char COLLAPSED_WHITESPACE = '\u000B';

    private static final byte[] BMP_FLAGS = new byte[0x10000];
    private static final char[] BMP_COLLAPSED = new char[0x10000];

    static {
        for (int cp = 0; cp < 0x10000; cp++) {
            BMP_FLAGS[cp] = (byte) computeFlags(cp);
            BMP_COLLAPSED[cp] = computeCollapsed(cp);
        }
    }

    private UnicodeCategories() {
    }

    static int flags(int cp) {
        return cp < 0x10000 ? BMP_FLAGS[cp] : computeFlags(cp);
    }

    static boolean isWhitespace(int cp) {
        return switch (cp) {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    /** The character llama.cpp substitutes for a code point before running a category regex. */
    static char collapsed(int cp) {
        return cp < 0x10000 ? BMP_COLLAPSED[cp] : computeCollapsed(cp);
    }

    private static int computeFlags(int cp) {
        int flags = PRESENT;
        if (isLetterType(Character.getType(cp))) {
            flags |= LETTER;
        }
        if (isNumberType(Character.getType(cp))) {
            flags |= NUMBER;
        }
        if (isWhitespace(cp)) {
            flags |= WHITESPACE;
        }
        return flags;
    }

    private static char computeCollapsed(int cp) {
        if (cp < 0x80) {
            return (char) cp;
        }
        if (isWhitespace(cp)) {
            return COLLAPSED_WHITESPACE;
        }
        int type = Character.getType(cp);
        if (isLetterType(type)) {
            return COLLAPSED_LETTER;
        }
        if (isNumberType(type)) {
            return COLLAPSED_NUMBER;
        }
        return switch (type) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> COLLAPSED_PUNCTUATION;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK ->
                    COLLAPSED_ACCENT_MARK;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL ->
                    COLLAPSED_SYMBOL;
            default -> COLLAPSED_OTHER;
        };
    }

    private static boolean isLetterType(int type) {
        return switch (type) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> true;
            default -> false;
        };
    }

    private static boolean isNumberType(int type) {
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }
}
