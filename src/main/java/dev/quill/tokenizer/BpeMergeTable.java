package dev.quill.tokenizer;

import java.util.HashMap;
import java.util.Map;

/**
 * The BPE merge list ({@code tokenizer.ggml.merges}, rank = position) keyed by the two symbols'
 * ids packed into one long, so a lookup needs no string building.
 *
 * <p>Symbols are vocabulary ids; a merge part or result missing from the vocabulary (not seen in
 * real vocabularies, but llama.cpp would still merge it, since it keys merges by strings) gets an
 * extra id past the vocabulary.
 */
final class BpeMergeTable {
    static final int NO_RANK = -1;

    private final Vocabulary vocabulary;
    private final LongIntHashMap rankByPair;
    private final int[] resultByRank;
    private final Map<String, Integer> extraSymbols = new HashMap<>();

    BpeMergeTable(Vocabulary vocabulary, String[] merges) {
        this.vocabulary = vocabulary;
        this.rankByPair = new LongIntHashMap(merges.length);
        this.resultByRank = new int[merges.length];
        for (int rank = 0; rank < merges.length; rank++) {
            String merge = merges[rank];
            // like llama.cpp, split at the first space after the first character
            int space = merge.indexOf(' ', 1);
            if (space < 0) {
                continue;
            }
            int end = merge.length();
            int left = symbolFor(merge, 0, space);
            int right = symbolFor(merge, space + 1, end);
            // duplicates keep their first rank, as std::unordered_map::emplace does
            if (rankByPair.putIfAbsent(pairKey(left, right), rank)) {
                int merged = vocabulary.index.idOf(merge, 0, space, merge, space + 1, end);
                resultByRank[rank] = merged != Vocabulary.NONE ? merged
                        : extraSymbol(merge.substring(0, space) + merge.substring(space + 1));
            }
        }
    }

    private int symbolFor(String s, int from, int to) {
        int id = vocabulary.idOf(s, from, to);
        return id != Vocabulary.NONE ? id : extraSymbol(s.substring(from, to));
    }

    private int extraSymbol(String text) {
        return extraSymbols.computeIfAbsent(text, t -> vocabulary.size() + extraSymbols.size());
    }

    /** The symbol id of a string at encode time: vocabulary id, extra merge symbol, or NONE. */
    int symbolOf(String text) {
        int id = vocabulary.idOf(text);
        if (id != Vocabulary.NONE) {
            return id;
        }
        Integer extra = extraSymbols.get(text);
        return extra == null ? Vocabulary.NONE : extra;
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    int rank(int left, int right) {
        return rankByPair.get(pairKey(left, right), NO_RANK);
    }

    int result(int rank) {
        return resultByRank[rank];
    }
}
