package dev.quill.tokenizer;

/**
 * Llama 3's pre-tokenizer regex
 * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}
 * as the scanner llama.cpp runs instead of a regex engine ({@code unicode_regex_split_custom_llama3}).
 */
final class Llama3WordScanner extends ChunkScanner {
    @Override
    int scanWord(Cursor in, int pos) {
        int cpt = in.cp(pos);
        int flags = in.flags(pos);

        // (?i:'s|'t|'re|'ve|'m|'ll|'d); only ASCII letters lower-case to these
        if (cpt == '\'' && pos + 1 < in.chunkEnd) {
            int next = asciiLower(in.cp(pos + 1));
            if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                return pos + in.emit(pos + 2);
            }
            if (pos + 2 < in.chunkEnd) {
                int nextNext = asciiLower(in.cp(pos + 2));
                if ((next == 'r' && nextNext == 'e') || (next == 'v' && nextNext == 'e') || (next == 'l' && nextNext == 'l')) {
                    return pos + in.emit(pos + 3);
                }
            }
        }

        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (!(cpt == '\r' || cpt == '\n' || isNumber(flags))) {
            if (isLetter(flags) || isLetter(in.flags(pos + 1))) {
                pos++;
                while (isLetter(in.flags(pos))) {
                    pos++;
                }
                in.emit(pos);
                return pos;
            }
        }

        // \p{N}{1,3}
        if (isNumber(flags)) {
            int groupStart = pos;
            while (isNumber(in.flags(pos))) {
                if (++pos - groupStart >= 3) {
                    in.emit(pos);
                    groupStart = pos;
                }
            }
            in.emit(pos);
            return pos;
        }

        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'; llama.cpp tests the current code point's presence here
        // (not the one after the space), so a lone trailing space also lands in this branch
        int flags2 = cpt == ' ' ? in.flags(pos + 1) : flags;
        if ((flags2 & (UnicodeCategories.LETTER | UnicodeCategories.NUMBER | UnicodeCategories.WHITESPACE)) == 0
                && flags != 0) {
            pos += cpt == ' ' ? 1 : 0;
            while (isOther(flags2)) {
                flags2 = in.flags(++pos);
            }
            int c = in.cp(pos);
            while (c == '\r' || c == '\n') {
                c = in.cp(++pos);
            }
            in.emit(pos);
            return pos;
        }

        int whitespace = 0;
        int afterLastNewline = 0;
        while (isWhitespace(in.flags(pos + whitespace))) {
            int c = in.cp(pos + whitespace);
            if (c == '\r' || c == '\n') {
                afterLastNewline = pos + whitespace + 1;
            }
            whitespace++;
        }
        if (afterLastNewline > 0) { // \s*[\r\n]+
            in.emit(afterLastNewline);
            return afterLastNewline;
        }
        return scanWhitespace(in, pos, whitespace);
    }

    private static int asciiLower(int cp) {
        return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
    }
}
