package dev.quill.tokenizer;

/**
 * GPT-2's pre-tokenizer regex
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}
 * as the scanner llama.cpp runs instead of a regex engine ({@code unicode_regex_split_custom_gpt2}).
 */
final class Gpt2WordScanner extends ChunkScanner {
    @Override
    int scanWord(Cursor in, int pos) {
        int cpt = in.cp(pos);
        int flags = in.flags(pos);

        // 's|'t|'re|'ve|'m|'ll|'d (case-sensitive here, unlike Llama 3)
        if (cpt == '\'' && pos + 1 < in.chunkEnd) {
            int next = in.cp(pos + 1);
            if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                return pos + in.emit(pos + 2);
            }
            if (pos + 2 < in.chunkEnd) {
                int nextNext = in.cp(pos + 2);
                if ((next == 'r' && nextNext == 'e') || (next == 'v' && nextNext == 'e') || (next == 'l' && nextNext == 'l')) {
                    return pos + in.emit(pos + 3);
                }
            }
        }

        int flags2 = cpt == ' ' ? in.flags(pos + 1) : flags;
        if (isLetter(flags2)) { // ' ?\p{L}+'
            pos += cpt == ' ' ? 1 : 0;
            while (isLetter(flags2)) {
                flags2 = in.flags(++pos);
            }
            in.emit(pos);
            return pos;
        }
        if (isNumber(flags2)) { // ' ?\p{N}+'
            pos += cpt == ' ' ? 1 : 0;
            while (isNumber(flags2)) {
                flags2 = in.flags(++pos);
            }
            in.emit(pos);
            return pos;
        }
        if (isOther(flags2)) { // ' ?[^\s\p{L}\p{N}]+'
            pos += cpt == ' ' ? 1 : 0;
            while (isOther(flags2)) {
                flags2 = in.flags(++pos);
            }
            in.emit(pos);
            return pos;
        }

        int whitespace = 0;
        while (isWhitespace(in.flags(pos + whitespace))) {
            whitespace++;
        }
        return scanWhitespace(in, pos, whitespace);
    }
}
