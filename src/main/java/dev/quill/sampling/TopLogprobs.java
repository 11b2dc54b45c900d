package dev.quill.sampling;

/**
 * A reusable, caller-owned holder for one position's log-probabilities, filled by
 * {@link Sampler#readLogprobs(TopLogprobs)}: the chosen token with its logprob, and up to
 * {@link #capacity()} most likely alternatives in descending order of logprob (ties by lower id).
 * Reusing one instance per sequence keeps the generation loop free of allocation.
 */
public final class TopLogprobs {
    private final int[] ids;
    private final float[] logprobs;
    private int count;
    private int chosenToken = -1;
    private float chosenLogprob = Float.NaN;

    public TopLogprobs(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        ids = new int[capacity];
        logprobs = new float[capacity];
    }

    public int capacity() {
        return ids.length;
    }

    /** How many alternatives are filled in. */
    public int count() {
        return count;
    }

    /** Token id of the alternative at {@code rank} (0 = most likely). */
    public int id(int rank) {
        checkRank(rank);
        return ids[rank];
    }

    public float logprob(int rank) {
        checkRank(rank);
        return logprobs[rank];
    }

    /** The sampled token, or -1 before the first fill. */
    public int chosenToken() {
        return chosenToken;
    }

    /** The sampled token's logprob, or NaN before the first fill. */
    public float chosenLogprob() {
        return chosenLogprob;
    }

    void set(int chosenToken, float chosenLogprob, int[] srcIds, float[] srcLogprobs, int srcCount) {
        this.chosenToken = chosenToken;
        this.chosenLogprob = chosenLogprob;
        int n = Math.min(srcCount, ids.length);
        System.arraycopy(srcIds, 0, ids, 0, n);
        System.arraycopy(srcLogprobs, 0, logprobs, 0, n);
        this.count = n;
    }

    private void checkRank(int rank) {
        if (rank < 0 || rank >= count) {
            throw new IndexOutOfBoundsException("rank " + rank + " out of bounds for " + count + " alternatives");
        }
    }
}
