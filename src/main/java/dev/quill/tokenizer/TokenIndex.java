package dev.quill.tokenizer;

/**
 * Token text to id, looked up by a whole string or by a region of one (or two adjacent regions),
 * so that merge loading and merging need not build substrings. Open addressing; each slot packs
 * the text's hash with its id, so probes compare hashes before touching any string (loading the
 * Llama 3 merges does ~800k lookups, dominated by cache misses).
 */
final class TokenIndex {
    private final String[] texts;
    /** hash in the high half, id + 1 in the low half; 0 marks an empty slot. */
    private final long[] slots;
    private final int mask;

    /** @throws IllegalArgumentException naming the first text that occurs twice */
    TokenIndex(String[] texts) {
        this.texts = texts;
        int capacity = Integer.highestOneBit(Math.max(4, texts.length * 2 - 1)) << 1;
        slots = new long[capacity];
        mask = capacity - 1;
        for (int id = 0; id < texts.length; id++) {
            String text = texts[id];
            int hash = text.hashCode();
            int i = spread(hash) & mask;
            for (long slot; (slot = slots[i]) != 0; i = (i + 1) & mask) {
                if ((int) (slot >>> 32) == hash && texts[idOf(slot)].equals(text)) {
                    throw new IllegalArgumentException("duplicate token in vocabulary: '" + text + "' has ids "
                            + idOf(slot) + " and " + id);
                }
            }
            slots[i] = ((long) hash << 32) | (id + 1L);
        }
    }

    private static int idOf(long slot) {
        return (int) slot - 1;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }

    /** {@link String#hashCode()}'s polynomial over a region, continuing from {@code h}. */
    private static int hash(String s, int from, int to, int h) {
        for (int i = from; i < to; i++) {
            h = 31 * h + s.charAt(i);
        }
        return h;
    }

    int idOf(String text) {
        int hash = text.hashCode();
        for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
            long slot = slots[i];
            if (slot == 0) {
                return Vocabulary.NONE;
            }
            if ((int) (slot >>> 32) == hash && texts[idOf(slot)].equals(text)) {
                return idOf(slot);
            }
        }
    }

    /** The id of {@code s.substring(from, to)}. */
    int idOf(String s, int from, int to) {
        return idOf(s, from, to, s, to, to);
    }

    /** The id of the concatenation {@code a.substring(aFrom, aTo) + b.substring(bFrom, bTo)}. */
    int idOf(String a, int aFrom, int aTo, String b, int bFrom, int bTo) {
        int aLength = aTo - aFrom;
        int length = aLength + bTo - bFrom;
        int hash = hash(b, bFrom, bTo, hash(a, aFrom, aTo, 0));
        for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
            long slot = slots[i];
            if (slot == 0) {
                return Vocabulary.NONE;
            }
            if ((int) (slot >>> 32) == hash) {
                String t = texts[idOf(slot)];
                if (t.length() == length && t.regionMatches(0, a, aFrom, aLength)
                        && t.regionMatches(aLength, b, bFrom, length - aLength)) {
                    return idOf(slot);
                }
            }
        }
    }
}
