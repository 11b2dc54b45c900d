package dev.quill.sampling;

import java.util.Arrays;

/**
 * The tokens of one sequence so far (prompt and generated), with occurrence counts over the most
 * recent {@link #window()} tokens kept up to date on every {@link #add}, so that penalties cost
 * O(distinct tokens in the window) per sampled token instead of a rescan of the window.
 *
 * <p>Create it with the same window as the sampler's {@link SamplingParams#penaltyLastN()}, most
 * simply through {@link Sampler#newHistory()}. Not thread-safe.
 */
public final class TokenHistory {
    private static final int INITIAL_CAPACITY = 256;

    private final int vocabSize;
    private final int window;
    private int[] tokens = new int[INITIAL_CAPACITY];
    private int size;

    // Counts over the window, plus the tokens whose count is non-zero as a dense list, so that
    // callers can visit only the tokens that occur; positionInDistinct makes removal O(1).
    private final int[] counts;
    private final int[] distinct;
    private final int[] positionInDistinct;
    private int distinctCount;

    /**
     * @param vocabSize number of token ids; every added token must be below it
     * @param window    how many of the latest tokens are counted: -1 counts the whole history, 0
     *                  counts nothing (penalties off)
     */
    public TokenHistory(int vocabSize, int window) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize);
        }
        if (window < -1) {
            throw new IllegalArgumentException("window must be >= -1, got " + window);
        }
        this.vocabSize = vocabSize;
        this.window = window;
        boolean counting = window != 0;
        this.counts = new int[counting ? vocabSize : 0];
        this.distinct = new int[counting ? (window > 0 ? Math.min(window, vocabSize) : vocabSize) : 0];
        this.positionInDistinct = new int[counting ? vocabSize : 0];
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** The number of latest tokens counted; -1 for the whole history, 0 for none. */
    public int window() {
        return window;
    }

    /** All tokens added so far. */
    public int size() {
        return size;
    }

    public int get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " out of bounds for size " + size);
        }
        return tokens[index];
    }

    public int[] toArray() {
        return Arrays.copyOf(tokens, size);
    }

    public void add(int token) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary [0, " + vocabSize + ")");
        }
        if (size == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        tokens[size++] = token;
        if (window == 0) {
            return;
        }
        // The leaving token goes first, so the distinct list never needs more than window slots.
        if (window > 0 && size > window) {
            decrement(tokens[size - 1 - window]);
        }
        increment(token);
    }

    public void addAll(int[] newTokens) {
        for (int t : newTokens) {
            add(t);
        }
    }

    /** Forgets every token (for reusing the history, and its buffers, for a new sequence). */
    public void clear() {
        for (int i = 0; i < distinctCount; i++) {
            counts[distinct[i]] = 0;
        }
        distinctCount = 0;
        size = 0;
    }

    /** How often {@code token} occurs in the window (0 when counting is off). */
    public int count(int token) {
        return window == 0 ? 0 : counts[token];
    }

    /** The number of different tokens in the window. */
    public int distinctCount() {
        return distinctCount;
    }

    /**
     * The {@code i}-th different token in the window, {@code 0 <= i < distinctCount()}, in no
     * particular order; the order changes as tokens enter and leave the window.
     */
    public int distinctToken(int i) {
        if (i < 0 || i >= distinctCount) {
            throw new IndexOutOfBoundsException("index " + i + " out of bounds for " + distinctCount + " distinct tokens");
        }
        return distinct[i];
    }

    private void increment(int token) {
        if (counts[token]++ == 0) {
            positionInDistinct[token] = distinctCount;
            distinct[distinctCount++] = token;
        }
    }

    private void decrement(int token) {
        if (--counts[token] == 0) {
            int pos = positionInDistinct[token];
            int moved = distinct[--distinctCount];
            distinct[pos] = moved;
            positionInDistinct[moved] = pos;
        }
    }
}
