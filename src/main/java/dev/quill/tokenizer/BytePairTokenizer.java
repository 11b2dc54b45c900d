package dev.quill.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}) as llama.cpp implements it: the
 * pre-tokenizer splits text into words, each word's UTF-8 bytes become GPT-2 byte characters,
 * and adjacent symbols merge lowest merge rank first (leftmost on ties) until no merge applies.
 */
final class BytePairTokenizer extends BaseTokenizer {
    private final PreTokenizer preTokenizer;
    private final BpeMergeTable merges;
    private final boolean ignoreMerges;
    /** Symbol id of each single byte, before any merge. */
    private final int[] byteSymbols = new int[256];

    BytePairTokenizer(Vocabulary vocabulary, String[] merges) {
        super(vocabulary);
        this.preTokenizer = PreTokenizers.forKind(vocabulary.preTokenizer.kind());
        this.ignoreMerges = vocabulary.preTokenizer.ignoreMerges();
        this.merges = new BpeMergeTable(vocabulary, merges);
        for (int b = 0; b < 256; b++) {
            byteSymbols[b] = this.merges.symbolOf(String.valueOf(ByteLevelEncoding.charForByte(b)));
        }
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial, int[] literalRanges) {
        text = replaceLoneSurrogates(text);
        IntList out = new IntList(text.length() / 3 + 2);
        if (addSpecial && vocabulary.addBos) {
            out.add(vocabulary.bos);
        }
        for (SpecialTokenPartitioner.Fragment fragment : partitioner.partition(text, parseSpecial, literalRanges)) {
            if (fragment.isText()) {
                encodeText(text.substring(fragment.start(), fragment.end()), out);
            } else {
                out.add(fragment.token());
            }
        }
        if (addSpecial && vocabulary.addEos) {
            out.add(vocabulary.eos);
        }
        return out.toArray();
    }

    private void encodeText(String text, IntList out) {
        int[] codePoints = text.codePoints().toArray();
        IntList words = preTokenizer.split(new SplitText(codePoints));
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        Scratch scratch = new Scratch();
        int cp = 0;
        int byteOffset = 0;
        for (int w = 0; w < words.size(); w++) {
            int wordStart = byteOffset;
            for (int end = cp + words.get(w); cp < end; cp++) {
                byteOffset += utf8Length(codePoints[cp]);
            }
            encodeWord(utf8, wordStart, byteOffset, scratch, out);
        }
    }

    private static int utf8Length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    /** Linked symbol arrays reused across the words of one call. */
    private static final class Scratch {
        int[] symbol = new int[0];
        int[] length = new int[0];
        int[] prev = new int[0];
        int[] next = new int[0];
        final LongMinHeap queue = new LongMinHeap();

        void ensure(int n) {
            if (symbol.length < n) {
                int capacity = Math.max(n, symbol.length * 2);
                symbol = new int[capacity];
                length = new int[capacity];
                prev = new int[capacity];
                next = new int[capacity];
            }
        }
    }

    private void encodeWord(byte[] utf8, int from, int to, Scratch s, IntList out) {
        int n = to - from;
        if (n == 0) {
            return;
        }
        if (ignoreMerges) {
            // Llama 3: a word that is a token is taken whole, even where merges would split it
            int whole = vocabulary.idOf(ByteLevelEncoding.encode(utf8, from, to));
            if (whole != Vocabulary.NONE) {
                out.add(whole);
                return;
            }
        }
        s.ensure(n);
        int[] symbol = s.symbol;
        int[] length = s.length;
        int[] prev = s.prev;
        int[] next = s.next;
        // symbol i covers bytes [from + i, from + i + length[i]); merged-away symbols have length 0
        for (int i = 0; i < n; i++) {
            symbol[i] = byteSymbols[utf8[from + i] & 0xFF];
            length[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        LongMinHeap queue = s.queue;
        queue.clear();
        for (int i = 1; i < n; i++) {
            offerPair(symbol, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            long key = queue.poll();
            int rank = (int) (key >>> 32);
            int left = (int) key;
            int right = next[left];
            // stale entries: either side merged since, so the pair is no longer this merge
            if (length[left] == 0 || right < 0 || merges.rank(symbol[left], symbol[right]) != rank) {
                continue;
            }
            symbol[left] = merges.result(rank);
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            offerPair(symbol, prev[left], left, queue);
            offerPair(symbol, left, next[left], queue);
        }
        for (int i = 0; i != -1; i = next[i]) {
            if (symbol[i] >= 0 && symbol[i] < vocabulary.size()) {
                out.add(symbol[i]);
            } else {
                // not a token: llama.cpp looks up each byte as a one-char token, which only works for
                // the printable ASCII bytes, and drops the rest
                for (int b = from + i; b < from + i + length[i]; b++) {
                    char c = ByteLevelEncoding.charForByte(utf8[b]);
                    int token = c < 0x80 ? vocabulary.idOf(String.valueOf(c)) : Vocabulary.NONE;
                    if (token != Vocabulary.NONE) {
                        out.add(token);
                    }
                }
            }
        }
    }

    private void offerPair(int[] symbol, int left, int right, LongMinHeap queue) {
        if (left < 0 || right < 0 || symbol[left] < 0 || symbol[right] < 0) {
            return;
        }
        int rank = merges.rank(symbol[left], symbol[right]);
        if (rank != BpeMergeTable.NO_RANK) {
            // lowest rank first, then leftmost: llama.cpp's llm_bigram_bpe comparator
            queue.add(((long) rank << 32) | left);
        }
    }
}
