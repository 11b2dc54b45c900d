package dev.quill.engine;

import dev.quill.model.KvCache;
import java.util.ArrayList;
import java.util.List;

/**
 * The KV of recently finished sequences, kept so that a request starting with the same tokens (the
 * same system prompt, persona or template) starts from them instead of computing them again.
 * Entries share their pages with the sequences forked from them; the least recently used entry is
 * evicted first when the KV budget needs pages.
 *
 * <p>Used by the scheduler thread only.
 */
final class PrefixCache {
    private static final class Entry {
        final int[] tokens;
        final KvCache cache;
        long lastUsed;

        Entry(int[] tokens, KvCache cache, long lastUsed) {
            this.tokens = tokens;
            this.cache = cache;
            this.lastUsed = lastUsed;
        }
    }

    /** The best cached prefix of a prompt: the entry's cache and how many of its positions match. */
    record Match(KvCache cache, int tokens) {
    }

    private final int maxEntries;
    private final List<Entry> entries = new ArrayList<>();
    private long clock;

    PrefixCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /**
     * The entry sharing the longest prefix with {@code prompt}, at most {@code prompt.length - 1}
     * tokens (the last prompt token is always computed, for its logits); null when none shares any.
     */
    Match longestPrefix(int[] prompt) {
        Entry best = null;
        int bestLength = 0;
        for (Entry e : entries) {
            int limit = Math.min(e.tokens.length, prompt.length - 1);
            int n = 0;
            while (n < limit && e.tokens[n] == prompt[n]) {
                n++;
            }
            if (n > bestLength) {
                best = e;
                bestLength = n;
            }
        }
        if (best == null) {
            return null;
        }
        best.lastUsed = ++clock;
        return new Match(best.cache, bestLength);
    }

    /**
     * Keeps a finished sequence's KV; {@code tokens} are the ids at its positions. An entry that
     * the new one extends is dropped, and the new one is dropped when an entry already covers it.
     */
    void add(int[] tokens, KvCache cache) {
        if (tokens.length == 0 || maxEntries == 0) {
            cache.close();
            return;
        }
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (startsWith(e.tokens, tokens)) {
                e.lastUsed = ++clock;
                cache.close();
                return;
            }
            if (startsWith(tokens, e.tokens)) {
                entries.remove(i).cache.close();
            }
        }
        entries.add(new Entry(tokens, cache, ++clock));
        while (entries.size() > maxEntries) {
            evictLeastRecentlyUsed(null);
        }
    }

    /**
     * Drops the least recently used entry other than {@code keep}.
     *
     * @return false when there is none to drop
     */
    boolean evictLeastRecentlyUsed(KvCache keep) {
        int victim = -1;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.cache != keep && (victim < 0 || e.lastUsed < entries.get(victim).lastUsed)) {
                victim = i;
            }
        }
        if (victim < 0) {
            return false;
        }
        entries.remove(victim).cache.close();
        return true;
    }

    int size() {
        return entries.size();
    }

    /** Positions held by all entries (shared pages counted once per entry). */
    long tokens() {
        long n = 0;
        for (Entry e : entries) {
            n += e.tokens.length;
        }
        return n;
    }

    void clear() {
        for (Entry e : entries) {
            e.cache.close();
        }
        entries.clear();
    }

    private static boolean startsWith(int[] whole, int[] prefix) {
        if (prefix.length > whole.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (whole[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
