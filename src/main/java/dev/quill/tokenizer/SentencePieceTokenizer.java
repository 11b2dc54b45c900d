package dev.quill.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * SentencePiece ({@code tokenizer.ggml.model = llama}) as llama.cpp implements it: spaces become
 * {@code ▁}, a space is prefixed to text at the start and after special tokens, then adjacent
 * symbols are merged greedily, the pair forming the highest-scoring vocabulary token first;
 * characters no token covers fall back to {@code <0xNN>} byte tokens.
 */
final class SentencePieceTokenizer extends BaseTokenizer {
    private static final char SPACE_MARK = '\u2581';

    SentencePieceTokenizer(Vocabulary vocabulary) {
        super(vocabulary);
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial, int[] literalRanges) {
        text = replaceLoneSurrogates(text);
        IntList out = new IntList(text.length() / 3 + 2);
        boolean afterSpecial = true; // the start counts as "after a special token" for the space prefix
        if (addSpecial && vocabulary.addBos) {
            out.add(vocabulary.bos);
        }
        for (SpecialTokenPartitioner.Fragment fragment : partitioner.partition(text, parseSpecial, literalRanges)) {
            if (fragment.isText()) {
                String piece = text.substring(fragment.start(), fragment.end());
                if (vocabulary.addSpacePrefix && afterSpecial) {
                    piece = " " + piece;
                }
                encodeEscaped(piece.replace(' ', SPACE_MARK), out);
                afterSpecial = false;
            } else {
                out.add(fragment.token());
                afterSpecial = true;
            }
        }
        if (addSpecial && vocabulary.addEos) {
            out.add(vocabulary.eos);
        }
        return out.toArray();
    }

    /**
     * Orders the merge queue: higher score first, then the leftmost pair (llama.cpp's
     * llm_bigram_spm comparator), packed as score key in the high and left index in the low half.
     */
    private static long queueKey(float score, int left) {
        int bits = Float.floatToIntBits(score + 0.0f); // +0.0f folds -0.0 into 0.0, which C++ compares equal
        int ascending = bits ^ ((bits >> 31) & 0x7FFFFFFF);
        return ((long) ~ascending << 32) | left;
    }

    private void encodeEscaped(String text, IntList out) {
        int n = text.codePointCount(0, text.length());
        if (n == 0) {
            return;
        }
        // symbol i covers chars [start[i], start[i] + length[i]); a merged-away symbol has length 0
        int[] start = new int[n];
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, offset = 0; i < n; i++) {
            int chars = Character.charCount(text.codePointAt(offset));
            start[i] = offset;
            length[i] = chars;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            offset += chars;
        }
        LongMinHeap queue = new LongMinHeap();
        for (int i = 1; i < n; i++) {
            offerPair(text, start, length, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            long key = queue.poll();
            int left = (int) key;
            int right = next[left];
            // stale entries: either side merged since, or the pair no longer spells the queued token
            if (length[left] == 0 || right < 0) {
                continue;
            }
            int token = vocabulary.idOf(text, start[left], start[right] + length[right]);
            if (token == Vocabulary.NONE || queueKey(vocabulary.scores[token], left) != key) {
                continue;
            }
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            offerPair(text, start, length, prev[left], left, queue);
            offerPair(text, start, length, left, next[left], queue);
        }
        for (int i = 0; i != -1; i = next[i]) {
            int token = vocabulary.idOf(text, start[i], start[i] + length[i]);
            if (token != Vocabulary.NONE) {
                out.add(token);
            } else {
                String symbol = text.substring(start[i], start[i] + length[i]);
                for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                    out.add(byteFallback(b & 0xFF));
                }
            }
        }
    }

    private void offerPair(String text, int[] start, int[] length, int left, int right, LongMinHeap queue) {
        if (left < 0 || right < 0) {
            return;
        }
        int token = vocabulary.idOf(text, start[left], start[right] + length[right]);
        if (token != Vocabulary.NONE) {
            queue.add(queueKey(vocabulary.scores[token], left));
        }
    }

    /**
     * llama.cpp aborts when a byte has no token; a vocabulary without byte tokens gets the
     * unknown token instead, and one without that an error.
     */
    private int byteFallback(int b) {
        int token = vocabulary.byteToken(b);
        if (token != Vocabulary.NONE) {
            return token;
        }
        if (vocabulary.unk != Vocabulary.NONE) {
            return vocabulary.unk;
        }
        throw new IllegalStateException(String.format("vocabulary has no token for byte 0x%02X and no unknown token", b));
    }
}
