package dev.quill.tokenizer;

/**
 * Shared frame of llama.cpp's hand-written regex scanners: walks each chunk, exposes code points
 * and category flags that read as "absent" outside the chunk, and records word ends.
 */
abstract class ChunkScanner implements SplitStage {
    static final int OUT_OF_RANGE = -1;

    /** Per-call state, so one scanner instance can serve many threads. */
    static final class Cursor {
        final int[] codePoints;
        final int chunkStart;
        final int chunkEnd;
        final IntList out;
        int previousEnd;

        Cursor(int[] codePoints, int chunkStart, int chunkEnd, IntList out) {
            this.codePoints = codePoints;
            this.chunkStart = chunkStart;
            this.chunkEnd = chunkEnd;
            this.out = out;
            this.previousEnd = chunkStart;
        }

        int cp(int pos) {
            return pos >= chunkStart && pos < chunkEnd ? codePoints[pos] : OUT_OF_RANGE;
        }

        int flags(int pos) {
            return pos >= chunkStart && pos < chunkEnd ? UnicodeCategories.flags(codePoints[pos]) : 0;
        }

        /** Ends the current word at {@code end}; returns its length (0 adds nothing). */
        int emit(int end) {
            int length = end - previousEnd;
            if (length > 0) {
                out.add(length);
            }
            previousEnd = end;
            return length;
        }
    }

    @Override
    public final IntList refine(SplitText text, IntList chunks) {
        IntList out = new IntList(chunks.size() + text.length() / 3);
        int start = 0;
        for (int c = 0; c < chunks.size(); c++) {
            int end = start + chunks.get(c);
            Cursor cursor = new Cursor(text.codePoints, start, end, out);
            int pos = start;
            while (pos < end) {
                pos = scanWord(cursor, pos);
            }
            start = end;
        }
        return out;
    }

    /** Emits the word starting at {@code pos} and returns the position after it. */
    abstract int scanWord(Cursor in, int pos);

    static boolean isLetter(int flags) {
        return (flags & UnicodeCategories.LETTER) != 0;
    }

    static boolean isNumber(int flags) {
        return (flags & UnicodeCategories.NUMBER) != 0;
    }

    static boolean isWhitespace(int flags) {
        return (flags & UnicodeCategories.WHITESPACE) != 0;
    }

    /** {@code [^\s\p{L}\p{N}]} inside the chunk. */
    static boolean isOther(int flags) {
        return flags != 0 && (flags & (UnicodeCategories.LETTER | UnicodeCategories.NUMBER | UnicodeCategories.WHITESPACE)) == 0;
    }

    /** The trailing whitespace rules shared by both scanners: {@code \s+(?!\S)|\s+}. */
    static int scanWhitespace(Cursor in, int pos, int count) {
        if (count > 1 && in.cp(pos + count) != OUT_OF_RANGE) {
            // leave the last space to prefix the following word
            pos += count - 1;
            in.emit(pos);
            return pos;
        }
        if (count > 0) {
            pos += count;
            in.emit(pos);
            return pos;
        }
        in.emit(pos + 1);
        return pos + 1;
    }
}
