package dev.quill.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts text at special-token occurrences before the model's algorithm sees it, as llama.cpp's
 * {@code tokenizer_st_partition}: special tokens are tried longest first, each splitting every
 * remaining text fragment at all of its occurrences, so a longer token wins over one it contains.
 */
final class SpecialTokenPartitioner {
    /** A piece of the input: either a recognised special token or text still to be tokenized. */
    record Fragment(int token, int start, int end) {
        static Fragment text(int start, int end) {
            return new Fragment(Vocabulary.NONE, start, end);
        }

        boolean isText() {
            return token == Vocabulary.NONE;
        }
    }

    private final Vocabulary vocabulary;

    SpecialTokenPartitioner(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    /**
     * Splits {@code text} into fragments. Without {@code parseSpecial} no special token is
     * recognised. (llama.cpp still splits on user-defined tokens then, as Hugging Face does; we
     * do not, so that user content can never produce a template token.)
     */
    List<Fragment> partition(String text, boolean parseSpecial) {
        return partition(text, parseSpecial, null);
    }

    /** As {@link #partition(String, boolean)}, never matching a special token that overlaps {@code literalRanges}. */
    List<Fragment> partition(String text, boolean parseSpecial, int[] literalRanges) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(Fragment.text(0, text.length()));
        if (!parseSpecial) {
            return fragments;
        }
        for (int special : vocabulary.specialTokensLongestFirst) {
            String specialText = vocabulary.texts[special];
            List<Fragment> next = null;
            for (int f = 0; f < fragments.size(); f++) {
                Fragment fragment = fragments.get(f);
                List<Fragment> pieces = fragment.isText() ? split(text, fragment, special, specialText, literalRanges) : null;
                if (pieces != null && next == null) {
                    next = new ArrayList<>(fragments.subList(0, f));
                }
                if (next != null) {
                    if (pieces != null) {
                        next.addAll(pieces);
                    } else {
                        next.add(fragment);
                    }
                }
            }
            if (next != null) {
                fragments = next;
            }
        }
        return fragments;
    }

    /** The fragment cut at every occurrence of the token, or null when it does not occur. */
    private List<Fragment> split(String text, Fragment fragment, int special, String specialText, int[] literalRanges) {
        int match = indexOf(text, specialText, fragment.start(), fragment.end(), literalRanges);
        if (match < 0) {
            return null;
        }
        // llama.cpp also knows LSTRIP, set only for embedding models Quill does not load
        boolean stripRight = vocabulary.hasAttribute(special, Vocabulary.ATTR_RSTRIP);
        List<Fragment> pieces = new ArrayList<>();
        int start = fragment.start();
        int end = fragment.end();
        while (match >= 0) {
            if (match > start) {
                pieces.add(Fragment.text(start, match));
            }
            pieces.add(new Fragment(special, match, match + specialText.length()));
            start = match + specialText.length();
            if (stripRight) {
                while (start < end && isCSpace(text.charAt(start))) {
                    start++;
                }
            }
            match = indexOf(text, specialText, start, end, literalRanges);
        }
        if (start < end) {
            pieces.add(Fragment.text(start, end));
        }
        return pieces;
    }

    /** First occurrence lying wholly inside [from, to) and outside every literal range, or -1. */
    private static int indexOf(String text, String target, int from, int to, int[] literalRanges) {
        int match = text.indexOf(target, from, to);
        while (match >= 0 && overlapsLiteral(match, match + target.length(), literalRanges)) {
            match = text.indexOf(target, match + 1, to);
        }
        return match;
    }

    private static boolean overlapsLiteral(int start, int end, int[] literalRanges) {
        if (literalRanges == null) {
            return false;
        }
        for (int i = 0; i + 1 < literalRanges.length; i += 2) {
            if (start < literalRanges[i + 1] && literalRanges[i] < end) {
                return true;
            }
        }
        return false;
    }

    /** C's isspace in the "C" locale, which llama.cpp uses for RSTRIP. */
    private static boolean isCSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
