package dev.quill.model;

import java.util.ArrayDeque;

/**
 * The KV memory of one model, in fixed pages of {@link #PAGE_TOKENS} positions, shared by all its
 * sequences under one budget. Sequences that start with the same tokens share the pages of that
 * prefix (reference-counted, copied before a write), which is what makes a prefix cache cheap.
 *
 * <p>Released pages are kept for reuse, so a server in steady state allocates no KV memory.
 * Thread-safe; pages are handed out and returned a few times per 32 tokens, not per token.
 */
public final class KvPagePool {
    /** Positions per page: small enough that little is wasted per sequence, large enough that lookups are rare. */
    public static final int PAGE_TOKENS = 32;
    static final int PAGE_SHIFT = 5;

    private final int layers;
    private final int kvDim;
    private final int kvHeads;
    private final int headDim;
    private final int maxPages;
    private final ArrayDeque<KvPage> free = new ArrayDeque<>();
    private int inUse;
    private int created;

    /**
     * @param maxPages most pages in use at once; {@link Integer#MAX_VALUE} for no budget
     */
    public KvPagePool(ModelConfig config, int maxPages) {
        if (maxPages < 1) {
            throw new IllegalArgumentException("a KV budget needs at least one page (" + PAGE_TOKENS + " tokens), got " + maxPages);
        }
        this.layers = config.blockCount();
        this.kvDim = config.kvDim();
        this.kvHeads = config.headCountKv();
        this.headDim = config.headDim();
        this.maxPages = maxPages;
        long values = 2L * layers * PAGE_TOKENS * kvDim;
        if (values > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a KV page of " + values + " values is too large for one array");
        }
    }

    /** A pool with no budget, for a single sequence (the command line, tests). */
    public static KvPagePool unbounded(ModelConfig config) {
        return new KvPagePool(config, Integer.MAX_VALUE);
    }

    /** Pages needed to hold {@code tokens} positions. */
    public static int pagesFor(long tokens) {
        return (int) ((tokens + PAGE_TOKENS - 1) / PAGE_TOKENS);
    }

    /** Bytes of KV memory one position takes (keys and values of every layer, as halves). */
    public long bytesPerToken() {
        return 2L * layers * kvDim * Short.BYTES;
    }

    public long bytesPerPage() {
        return bytesPerToken() * PAGE_TOKENS;
    }

    public int maxPages() {
        return maxPages;
    }

    /** Pages held by at least one sequence or cached prefix. */
    public synchronized int pagesInUse() {
        return inUse;
    }

    /** Pages that can still be handed out. */
    public synchronized int pagesFree() {
        return maxPages - inUse;
    }

    /** Heap held by the pool: pages in use plus those kept for reuse. */
    public synchronized long bytesAllocated() {
        return (long) created * bytesPerPage();
    }

    /** A page owned by the caller (one reference). */
    synchronized KvPage acquire() {
        if (inUse >= maxPages) {
            throw new KvBudgetExceededException(maxPages, PAGE_TOKENS);
        }
        KvPage page = free.poll();
        if (page == null) {
            page = new KvPage(new short[2 * layers * PAGE_TOKENS * kvDim]);
            created++;
        }
        page.refs = 1;
        inUse++;
        return page;
    }

    synchronized void retain(KvPage page) {
        if (page.refs < 1) {
            throw new IllegalStateException("retaining a released KV page");
        }
        page.refs++;
    }

    synchronized void release(KvPage page) {
        if (page.refs < 1) {
            throw new IllegalStateException("releasing a KV page twice");
        }
        if (--page.refs == 0) {
            inUse--;
            free.push(page);
        }
    }

    synchronized boolean shared(KvPage page) {
        return page.refs > 1;
    }

    /**
     * Offset of layer {@code layer}'s key for KV head {@code kvHead} at slot {@code slot} of a
     * page; the next slot's key for that head follows {@code headDim} values later. Head-major, so
     * that the positions one attention head walks are contiguous (8 KB per page for a head of 64
     * dimensions) instead of a head-sized piece of every slot's whole key row: at 2,000
     * positions, a token then reads its KV cache as a few long streams, not as head-sized pieces
     * {@code kvDim} values apart.
     */
    int keyOffset(int layer, int kvHead, int slot) {
        return (((layer * 2) * kvHeads + kvHead) * PAGE_TOKENS + slot) * headDim;
    }

    /** Offset of layer {@code layer}'s value for KV head {@code kvHead} at slot {@code slot}; see {@link #keyOffset}. */
    int valueOffset(int layer, int kvHead, int slot) {
        return (((layer * 2 + 1) * kvHeads + kvHead) * PAGE_TOKENS + slot) * headDim;
    }

    /**
     * One page: for each layer, keys then values of {@link #PAGE_TOKENS} positions, each head's
     * positions together. Values are IEEE halves (bits), as llama.cpp's default F16 cache keeps
     * them: half the memory of floats, and half the bytes a token's attention reads.
     */
    static final class KvPage {
        final short[] data;
        int refs;

        KvPage(short[] data) {
            this.data = data;
        }
    }
}
