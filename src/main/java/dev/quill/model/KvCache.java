package dev.quill.model;

/**
 * The attention keys and values of one sequence, for every layer and position up to the context
 * length it was created with. Positions past {@link #length()} are garbage.
 */
public final class KvCache {
    private final int contextLength;
    private final int kvDim;
    private final float[][] keys;
    private final float[][] values;
    private int length;

    public KvCache(ModelConfig config, int contextLength) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("context length must be >= 1, got " + contextLength);
        }
        this.contextLength = contextLength;
        this.kvDim = config.kvDim();
        this.keys = new float[config.blockCount()][];
        this.values = new float[config.blockCount()][];
        long perLayer = (long) contextLength * kvDim;
        if (perLayer > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("context length " + contextLength + " is too large for one KV array");
        }
        for (int l = 0; l < keys.length; l++) {
            keys[l] = new float[(int) perLayer];
            values[l] = new float[(int) perLayer];
        }
    }

    public int contextLength() {
        return contextLength;
    }

    /** Number of positions filled. */
    public int length() {
        return length;
    }

    /** Forgets positions from {@code newLength} on (e.g. to reuse a shared prefix). */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate a cache of " + length + " positions to " + newLength);
        }
        length = newLength;
    }

    void setLength(int newLength) {
        length = newLength;
    }

    float[] keys(int layer) {
        return keys[layer];
    }

    float[] values(int layer) {
        return values[layer];
    }

    int kvDim() {
        return kvDim;
    }

    /** Heap bytes held by this cache. */
    public long byteSize() {
        return 2L * keys.length * contextLength * kvDim * Float.BYTES;
    }
}
