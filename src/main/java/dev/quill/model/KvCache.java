package dev.quill.model;

import dev.quill.model.KvPagePool.KvPage;
import java.util.Arrays;

/**
 * The attention keys and values of one sequence, up to the context length it was created with, in
 * pages of a {@link KvPagePool}: memory grows with the tokens actually processed. Pages may be
 * shared with other caches ({@link #fork}); a shared page is copied before it is written, so one
 * sequence never changes another's keys and values.
 *
 * <p>Not thread-safe: one forward pass at a time. {@link #close()} returns the pages.
 */
public final class KvCache implements AutoCloseable {
    private final KvPagePool pool;
    private final int contextLength;
    private final KvPage[] pages;
    private int pageCount;
    private int length;
    /** Positions written in the forward pass under way; {@link Transformer} checks rows against it. */
    int pendingLength;

    /** A cache with its own unbounded pool, for one sequence on its own. */
    public KvCache(ModelConfig config, int contextLength) {
        this(KvPagePool.unbounded(config), contextLength);
    }

    public KvCache(KvPagePool pool, int contextLength) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("context length must be >= 1, got " + contextLength);
        }
        this.pool = pool;
        this.contextLength = contextLength;
        this.pages = new KvPage[KvPagePool.pagesFor(contextLength)];
    }

    public int contextLength() {
        return contextLength;
    }

    /** Number of positions filled. */
    public int length() {
        return length;
    }

    /** Pages this cache references (shared ones included). */
    public int pageCount() {
        return pageCount;
    }

    /** Forgets positions from {@code newLength} on (e.g. to reuse a shared prefix) and returns the pages past it. */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate a cache of " + length + " positions to " + newLength);
        }
        length = newLength;
        releasePagesFrom(KvPagePool.pagesFor(newLength));
    }

    /**
     * A new cache holding the first {@code tokens} positions of this one, sharing its pages (no
     * copy until either side writes into a shared page).
     */
    public KvCache fork(int tokens) {
        if (tokens < 0 || tokens > length) {
            throw new IllegalArgumentException("cannot fork " + tokens + " positions of a cache of " + length);
        }
        KvCache copy = new KvCache(pool, contextLength);
        int shared = KvPagePool.pagesFor(tokens);
        for (int p = 0; p < shared; p++) {
            pool.retain(pages[p]);
            copy.pages[p] = pages[p];
        }
        copy.pageCount = shared;
        copy.length = tokens;
        return copy;
    }

    /** Pages that writing up to {@code positions} would take from the pool, copies of shared pages included. */
    public int pagesNeededFor(int positions) {
        int needed = Math.max(0, KvPagePool.pagesFor(positions) - pageCount);
        int firstWritten = length >> KvPagePool.PAGE_SHIFT;
        if (positions > length && firstWritten < pageCount && pool.shared(pages[firstWritten])) {
            needed++;
        }
        return needed;
    }

    /** Makes position {@code pos} writable: its page exists and belongs to this cache alone. */
    void prepareWrite(int pos) {
        int p = pos >> KvPagePool.PAGE_SHIFT;
        while (pageCount <= p) {
            pages[pageCount++] = pool.acquire();
        }
        KvPage page = pages[p];
        if (pool.shared(page)) {
            KvPage own = pool.acquire();
            System.arraycopy(page.data, 0, own.data, 0, page.data.length);
            pages[p] = own;
            pool.release(page);
        }
    }

    void setLength(int newLength) {
        length = newLength;
    }

    /** The page array (halves) holding position {@code pos}. */
    short[] page(int pos) {
        return pages[pos >> KvPagePool.PAGE_SHIFT].data;
    }

    KvPagePool pool() {
        return pool;
    }

    /** Heap bytes of the pages this cache references. */
    public long byteSize() {
        return pageCount * pool.bytesPerPage();
    }

    /** Returns every page to the pool; the cache is empty afterwards and can be filled again. */
    @Override
    public void close() {
        length = 0;
        releasePagesFrom(0);
    }

    private void releasePagesFrom(int keep) {
        for (int p = keep; p < pageCount; p++) {
            pool.release(pages[p]);
        }
        if (keep < pageCount) {
            Arrays.fill(pages, keep, pageCount, null);
            pageCount = keep;
        }
    }
}
