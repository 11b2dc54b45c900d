package dev.quill.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** What both tokenizer algorithms share: the vocabulary, special-token splitting and decoding. */
abstract sealed class BaseTokenizer implements Tokenizer permits SentencePieceTokenizer, BytePairTokenizer {
    private static final byte[] EMPTY = new byte[0];

    final Vocabulary vocabulary;
    final SpecialTokenPartitioner partitioner;

    BaseTokenizer(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
        this.partitioner = new SpecialTokenPartitioner(vocabulary);
    }

    /**
     * Java strings can hold unpaired surrogates, which no UTF-8 text can; they become U+FFFD, as
     * llama.cpp turns invalid UTF-8 into U+FFFD.
     */
    static String replaceLoneSurrogates(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1));
                if (!paired) {
                    return replaceLoneSurrogatesFrom(text, i);
                }
                i++;
            }
        }
        return text;
    }

    private static String replaceLoneSurrogatesFrom(String text, int from) {
        StringBuilder out = new StringBuilder(text.length()).append(text, 0, from);
        for (int i = from; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            out.appendCodePoint(Character.isSurrogate((char) cp) && cp < 0x10000 ? 0xFFFD : cp);
        }
        return out.toString();
    }

    private void checkId(int id) {
        Objects.checkIndex(id, vocabulary.size());
    }

    /** The token's bytes without copying; callers must not modify the array. */
    byte[] sharedTokenBytes(int id, boolean renderSpecial) {
        checkId(id);
        if (!renderSpecial && vocabulary.hasAttribute(id, Vocabulary.ATTR_CONTROL | Vocabulary.ATTR_UNKNOWN)) {
            return EMPTY;
        }
        return vocabulary.piece(id);
    }

    @Override
    public byte[] tokenBytes(int id, boolean renderSpecial) {
        byte[] piece = sharedTokenBytes(id, renderSpecial);
        return piece.length == 0 ? EMPTY : piece.clone();
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            out.writeBytes(sharedTokenBytes(id, true));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String detokenize(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        int from = 0;
        int to = ids.length;
        boolean removeSpace = vocabulary.addSpacePrefix;
        if (removeSpecial && vocabulary.addBos && to > 0 && ids[0] == vocabulary.bos) {
            // llama.cpp keeps the space after a removed BOS
            removeSpace = false;
            from = 1;
        }
        if (removeSpecial && vocabulary.addEos && to > from && ids[to - 1] == vocabulary.eos) {
            to--;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((to - from) * 4);
        for (int i = from; i < to; i++) {
            byte[] piece = sharedTokenBytes(ids[i], unparseSpecial);
            int skip = removeSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            out.write(piece, skip, piece.length - skip);
            removeSpace = false;
        }
        byte[] text = out.toByteArray();
        int length = vocabulary.cleanSpaces ? cleanSpaces(text) : text.length;
        return new String(text, 0, length, StandardCharsets.UTF_8);
    }

    /**
     * Hugging Face's clean_up_tokenization_spaces as llama.cpp does it, in place: drops the space
     * before {@code ? ! . ,}, around a lone apostrophe, and before {@code 's 'm 're 've}.
     * Returns the new length.
     */
    static int cleanSpaces(byte[] text) {
        int total = text.length;

        int total1 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total1; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) {
                total--;
            }
            text[total++] = x;
        }

        int total2 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total2; i++) {
            byte x = text[i];
            if (x == '\'' && i + 1 < total2 && text[i - 1] == ' ' && text[i + 1] == ' ') {
                total--;
                text[++i] = 0;
            }
            text[total++] = x;
        }

        int total3 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total3; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < total3) {
                byte x1 = text[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (i + 2 < total3) {
                    byte x2 = text[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) {
                        total--;
                    }
                }
            }
            text[total++] = x;
        }
        return total;
    }

    @Override
    public int vocabSize() {
        return vocabulary.size();
    }

    @Override
    public String tokenText(int id) {
        checkId(id);
        return vocabulary.texts[id];
    }

    @Override
    public TokenType tokenType(int id) {
        checkId(id);
        return vocabulary.type(id);
    }

    @Override
    public int bos() {
        return vocabulary.bos;
    }

    @Override
    public int eos() {
        return vocabulary.eos;
    }

    @Override
    public int eot() {
        return vocabulary.eot;
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && id < vocabulary.size() && vocabulary.endOfGeneration[id];
    }

    @Override
    public boolean addBos() {
        return vocabulary.addBos;
    }

    @Override
    public boolean addEos() {
        return vocabulary.addEos;
    }

    @Override
    public String model() {
        return vocabulary.model.ggufName;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + vocabulary;
    }
}
