package dev.quill.tokenizer;

import dev.quill.gguf.GgufFormatException;
import dev.quill.gguf.GgufMetadata;
import dev.quill.gguf.GgufValueType;
import dev.quill.gguf.MetadataValue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A GGUF vocabulary with the special tokens, flags and per-token attributes that llama.cpp's
 * loader ({@code llama_vocab::impl::load}) derives from it, including its defaults for missing
 * keys and its detection of end-of-turn tokens by their text.
 */
final class Vocabulary {
    static final int NONE = -1;

    // Attribute bits, as llama.cpp's llama_token_attr: a token can carry several.
    static final int ATTR_UNKNOWN = 1;
    static final int ATTR_UNUSED = 1 << 1;
    static final int ATTR_NORMAL = 1 << 2;
    static final int ATTR_CONTROL = 1 << 3;
    static final int ATTR_USER_DEFINED = 1 << 4;
    static final int ATTR_BYTE = 1 << 5;
    static final int ATTR_RSTRIP = 1 << 8;

    /** The algorithm {@code tokenizer.ggml.model} selects. */
    enum Model {
        SENTENCE_PIECE("llama"), BYTE_PAIR("gpt2");

        final String ggufName;

        Model(String ggufName) {
            this.ggufName = ggufName;
        }
    }

    // Token texts llama.cpp recognises as end of turn / end of generation (the text is all there is to go on).
    private static final List<String> EOT_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>");
    private static final List<String> EOG_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>",
            "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>",
            "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
            "<｜end▁of▁sentence｜>", "[e~[");
    private static final List<String> FIM_PRE_TEXTS = List.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
            "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>");
    private static final List<String> FIM_SUF_TEXTS = List.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
            "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>");
    private static final List<String> FIM_MID_TEXTS = List.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>",
            "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>");
    private static final List<String> FIM_PAD_TEXTS = List.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]");
    private static final List<String> FIM_REP_TEXTS = List.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
            "<reponame>");
    private static final List<String> FIM_SEP_TEXTS = List.of("<|file_sep|>");

    final Model model;
    /** The pre-tokenizer and its flags; null for SentencePiece, which has none. */
    final PreTokenizers.Spec preTokenizer;
    final String[] texts;
    final float[] scores;
    final int[] attributes;
    final TokenIndex index;
    final int bos;
    final int eos;
    final int eot;
    final int eom;
    final int unk;
    final boolean addBos;
    final boolean addEos;
    final boolean addSpacePrefix;
    final boolean cleanSpaces;
    final boolean[] endOfGeneration;
    /** Control, user-defined and unknown tokens, longest text first: the order text is split on them. */
    final int[] specialTokensLongestFirst;
    /** What each token stands for, control tokens as their text (llama.cpp's piece with special=true). */
    private final byte[][] pieces;
    /** SentencePiece byte-fallback token of each byte value, or NONE. */
    private final int[] byteTokens = new int[256];

    private Vocabulary(Builder b) {
        model = b.model;
        preTokenizer = b.preTokenizer;
        texts = b.texts;
        scores = b.scores;
        attributes = b.attributes;
        index = b.index;
        bos = b.bos;
        eos = b.eos;
        eot = b.eot;
        eom = b.eom;
        unk = b.unk;
        addBos = b.addBos;
        addEos = b.addEos;
        addSpacePrefix = b.addSpacePrefix;
        cleanSpaces = b.cleanSpaces;
        endOfGeneration = b.endOfGeneration;
        specialTokensLongestFirst = b.specialTokensLongestFirst;
        pieces = new byte[texts.length][];
        for (int id = 0; id < texts.length; id++) {
            pieces[id] = computePiece(id);
        }
        for (int value = 0; value < 256; value++) {
            int id = idOf(String.format("<0x%02X>", value));
            if (id == NONE && value < 0x80) {
                id = idOf(String.valueOf((char) value));
            }
            byteTokens[value] = id;
        }
    }

    int size() {
        return texts.length;
    }

    /** The vocabulary id of exactly this text, or {@link #NONE}. */
    int idOf(String text) {
        return index.idOf(text);
    }

    /** The vocabulary id of {@code text.substring(from, to)}, or {@link #NONE}. */
    int idOf(String text, int from, int to) {
        return index.idOf(text, from, to);
    }

    /** Whether the token has any of the given attribute bits. */
    boolean hasAttribute(int id, int attributeBits) {
        return (attributes[id] & attributeBits) != 0;
    }

    /** The shared piece array; callers must not modify it. */
    byte[] piece(int id) {
        return pieces[id];
    }

    TokenType type(int id) {
        int attr = attributes[id];
        if ((attr & ATTR_BYTE) != 0) {
            return TokenType.BYTE;
        }
        if ((attr & ATTR_UNUSED) != 0) {
            return TokenType.UNUSED;
        }
        if ((attr & ATTR_CONTROL) != 0) {
            return TokenType.CONTROL;
        }
        if ((attr & ATTR_USER_DEFINED) != 0) {
            return TokenType.USER_DEFINED;
        }
        if ((attr & ATTR_UNKNOWN) != 0) {
            return TokenType.UNKNOWN;
        }
        return (attr & ATTR_NORMAL) != 0 ? TokenType.NORMAL : TokenType.UNDEFINED;
    }

    /** llama.cpp's byte_to_token for SentencePiece: {@code <0xNN>}, else the byte as a one-char token. */
    int byteToken(int b) {
        return byteTokens[b & 0xFF];
    }

    private byte[] computePiece(int id) {
        int attr = attributes[id];
        String text = texts[id];
        if ((attr & (ATTR_UNKNOWN | ATTR_CONTROL | ATTR_USER_DEFINED)) != 0) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & ATTR_NORMAL) != 0) {
            return model == Model.SENTENCE_PIECE
                    ? text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8)
                    : byteLevelDecode(text);
        }
        if ((attr & ATTR_BYTE) != 0 && text.length() >= 5) {
            return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
        }
        // unused and undefined tokens render as nothing, as in llama.cpp
        return new byte[0];
    }

    /** Reverses GPT-2's byte-to-character mapping; unmappable characters are flagged as llama.cpp does. */
    private static byte[] byteLevelDecode(String text) {
        byte[] direct = new byte[text.length()];
        for (int i = 0; i < direct.length; i++) {
            int b = ByteLevelEncoding.byteForChar(text.charAt(i));
            if (b < 0) {
                return byteLevelDecodeWithMarkers(text);
            }
            direct[i] = (byte) b;
        }
        return direct;
    }

    private static byte[] byteLevelDecodeWithMarkers(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            int b = ByteLevelEncoding.byteForChar(cp);
            if (b >= 0) {
                out.write(b);
            } else {
                StringBuilder marker = new StringBuilder("[UNK_BYTE_0x");
                for (byte u : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    marker.append(String.format("%02x", u & 0xFF));
                }
                marker.append(text).append(']');
                out.writeBytes(marker.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    static Vocabulary fromGguf(GgufMetadata meta) {
        return new Builder(meta).build();
    }

    /** The loading steps, in llama.cpp's order, since later steps read what earlier ones set. */
    private static final class Builder {
        private final GgufMetadata meta;
        Model model;
        PreTokenizers.Spec preTokenizer;
        String[] texts;
        float[] scores;
        int[] attributes;
        TokenIndex index;
        int bos;
        int eos;
        int eot = NONE;
        int eom = NONE;
        int unk;
        int fimPre = NONE;
        int fimSuf = NONE;
        int fimMid = NONE;
        int fimPad = NONE;
        int fimRep = NONE;
        int fimSep = NONE;
        boolean addBos;
        boolean addEos;
        boolean addSpacePrefix;
        boolean cleanSpaces;
        boolean[] endOfGeneration;
        int[] specialTokensLongestFirst;

        Builder(GgufMetadata meta) {
            this.meta = meta;
        }

        Vocabulary build() {
            chooseModel();
            readTokens();
            readSpecialTokenIds();
            detectSpecialTokensByText();
            markUnusedControlTokens();
            collectEndOfGeneration();
            specialTokensLongestFirst = specialTokensByLength();
            applyModelSpecificStripping();
            return new Vocabulary(this);
        }

        private void chooseModel() {
            if (!meta.contains("tokenizer.ggml.model")) {
                throw new GgufFormatException("tokenizer.ggml.model is missing: the file has no tokenizer");
            }
            String name = meta.getString("tokenizer.ggml.model");
            switch (name) {
                case "llama" -> {
                    model = Model.SENTENCE_PIECE;
                    bos = 1;
                    eos = 2;
                    unk = 0;
                    addSpacePrefix = true;
                    cleanSpaces = false;
                    addBos = true;
                    addEos = false;
                }
                case "gpt2" -> {
                    model = Model.BYTE_PAIR;
                    bos = 11;
                    eos = 11;
                    unk = NONE;
                    preTokenizer = PreTokenizers.spec(meta.getString("tokenizer.ggml.pre", ""));
                    addSpacePrefix = false;
                    cleanSpaces = preTokenizer.cleanSpaces();
                    addBos = preTokenizer.addBos();
                    addEos = false;
                }
                default -> throw new UnsupportedTokenizerException("unsupported tokenizer model '" + name
                        + "' (tokenizer.ggml.model); supported: llama (SentencePiece), gpt2 (byte-level BPE)");
            }
            addSpacePrefix = meta.getBoolean("tokenizer.ggml.add_space_prefix", addSpacePrefix);
        }

        private void readTokens() {
            String[] tokens = meta.getStringArray("tokenizer.ggml.tokens");
            int n = tokens.length;
            scores = readScores(n);
            int[] types = null;
            if (meta.contains("tokenizer.ggml.token_type")) {
                types = meta.getIntArray("tokenizer.ggml.token_type");
                if (types.length < n) {
                    throw new GgufFormatException("tokenizer.ggml.token_type has " + types.length + " entries for " + n + " tokens");
                }
            }
            texts = new String[n];
            attributes = new int[n];
            for (int i = 0; i < n; i++) {
                texts[i] = tokens[i].isEmpty() ? "[EMPTY_" + i + "]" : tokens[i];
                attributes[i] = types == null ? ATTR_NORMAL : attributeOfType(types[i]);
            }
            try {
                index = new TokenIndex(texts);
            } catch (IllegalArgumentException duplicate) {
                throw new GgufFormatException(duplicate.getMessage());
            }
        }

        private float[] readScores(int n) {
            String key = "tokenizer.ggml.scores";
            if (!meta.contains(key)) {
                return new float[n];
            }
            MetadataValue value = meta.get(key);
            float[] result;
            if (value.type() == GgufValueType.ARRAY && value.elementType() == GgufValueType.INT32) {
                int[] ints = meta.getIntArray(key);
                result = new float[ints.length];
                for (int i = 0; i < ints.length; i++) {
                    result[i] = ints[i];
                }
            } else {
                result = meta.getFloatArray(key);
            }
            if (result.length < n) {
                throw new GgufFormatException(key + " has " + result.length + " entries for " + n + " tokens");
            }
            return result;
        }

        private static int attributeOfType(int ggufType) {
            return switch (ggufType) {
                case 1 -> ATTR_NORMAL;
                case 2 -> ATTR_UNKNOWN;
                case 3 -> ATTR_CONTROL;
                case 4 -> ATTR_USER_DEFINED;
                case 5 -> ATTR_UNUSED;
                case 6 -> ATTR_BYTE;
                default -> 0;
            };
        }

        /** A model default outside the vocabulary is dropped; a bad id in the file keeps the default. */
        private int specialId(String key, int defaultId) {
            int id = defaultId >= texts.length ? NONE : defaultId;
            if (meta.contains(key)) {
                long value = meta.getLong(key);
                if (value >= 0 && value < texts.length) {
                    id = (int) value;
                }
            }
            return id;
        }

        private void readSpecialTokenIds() {
            String p = "tokenizer.ggml.";
            bos = specialId(p + "bos_token_id", bos);
            eos = specialId(p + "eos_token_id", eos);
            eot = specialId(p + "eot_token_id", eot);
            eom = specialId(p + "eom_token_id", eom);
            unk = specialId(p + "unknown_token_id", unk);
            fimPre = specialId(p + "fim_pre_token_id", fimPre);
            fimSuf = specialId(p + "fim_suf_token_id", fimSuf);
            fimMid = specialId(p + "fim_mid_token_id", fimMid);
            fimPad = specialId(p + "fim_pad_token_id", fimPad);
            fimRep = specialId(p + "fim_rep_token_id", fimRep);
            fimSep = specialId(p + "fim_sep_token_id", fimSep);
            // deprecated names of the FIM tokens
            fimPre = specialId(p + "prefix_token_id", fimPre);
            fimSuf = specialId(p + "suffix_token_id", fimSuf);
            fimMid = specialId(p + "middle_token_id", fimMid);

            addBos = meta.getBoolean(p + "add_bos_token", addBos);
            addEos = meta.getBoolean(p + "add_eos_token", addEos);
            if (addBos && bos == NONE) {
                throw new GgufFormatException(p + "add_bos_token is true, but " + p + "bos_token_id is not set");
            }
            if (addEos && eos == NONE) {
                throw new GgufFormatException(p + "add_eos_token is true, but " + p + "eos_token_id is not set");
            }
        }

        /**
         * Fills unset EOT/EOM/FIM ids from well-known token texts and makes those tokens control
         * tokens. llama.cpp takes whichever candidate its hash map yields first; we take the first
         * in the candidate list, so a vocabulary with several (Phi-3: {@code <|end|>} and
         * {@code <|endoftext|>}) gets a deterministic choice.
         */
        private void detectSpecialTokensByText() {
            if (eot == NONE) {
                eot = firstPresent(EOT_TEXTS);
            }
            if (eom == NONE) {
                eom = firstPresent(List.of("<|eom_id|>"));
            }
            if (fimPre == NONE) {
                fimPre = firstPresent(FIM_PRE_TEXTS);
            }
            if (fimSuf == NONE) {
                fimSuf = firstPresent(FIM_SUF_TEXTS);
            }
            if (fimMid == NONE) {
                fimMid = firstPresent(FIM_MID_TEXTS);
            }
            if (fimPad == NONE) {
                fimPad = firstPresent(FIM_PAD_TEXTS);
            }
            if (fimRep == NONE) {
                fimRep = firstPresent(FIM_REP_TEXTS);
            }
            if (fimSep == NONE) {
                fimSep = firstPresent(FIM_SEP_TEXTS);
            }
        }

        private int firstPresent(List<String> candidates) {
            for (String text : candidates) {
                int id = index.idOf(text);
                if (id != NONE) {
                    attributes[id] |= ATTR_CONTROL;
                    return id;
                }
            }
            return NONE;
        }

        private void markUnusedControlTokens() {
            for (int id = 0; id < texts.length; id++) {
                if ((attributes[id] & ATTR_CONTROL) != 0 && texts[id].contains("unused")) {
                    attributes[id] |= ATTR_UNUSED;
                }
            }
        }

        private void collectEndOfGeneration() {
            endOfGeneration = new boolean[texts.length];
            for (int id : new int[] {fimPad, fimRep, fimSep}) {
                if (id != NONE) {
                    endOfGeneration[id] = true;
                }
            }
            for (String text : EOG_TEXTS) {
                int id = index.idOf(text);
                if (id != NONE) {
                    endOfGeneration[id] = true;
                    attributes[id] |= ATTR_CONTROL;
                }
            }
            for (int id : new int[] {eos, eot, eom}) {
                if (id != NONE) {
                    endOfGeneration[id] = true;
                }
            }
            // o200k_harmony / solar-open: there <|end|> closes a message, not the generation
            boolean hasReturn = isEog("<|return|>");
            boolean hasCall = isEog("<|call|>") || isEog("<|calls|>");
            boolean hasFlush = isEog("<|flush|>");
            if (isEog("<|end|>") && hasCall && (hasReturn || hasFlush)) {
                int end = index.idOf("<|end|>");
                endOfGeneration[end] = false;
                attributes[end] = ATTR_USER_DEFINED;
            }
            // gemma4 / paddleocr: </s> is an ordinary token there
            if (isEog("<|tool_response>") && isEog("</s>")) {
                int s = index.idOf("</s>");
                endOfGeneration[s] = false;
                attributes[s] = ATTR_NORMAL;
            }
        }

        private boolean isEog(String text) {
            int id = index.idOf(text);
            return id != NONE && endOfGeneration[id];
        }

        private int[] specialTokensByLength() {
            List<Integer> special = new ArrayList<>();
            for (int id = 0; id < texts.length; id++) {
                if ((attributes[id] & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN)) != 0) {
                    special.add(id);
                }
            }
            int[] utf8Length = new int[texts.length];
            for (int id : special) {
                utf8Length[id] = texts[id].getBytes(StandardCharsets.UTF_8).length;
            }
            // ties keep id order; llama.cpp's std::sort leaves them unspecified
            special.sort(Comparator.<Integer>comparingInt(id -> -utf8Length[id]).thenComparingInt(id -> id));
            return special.stream().mapToInt(Integer::intValue).toArray();
        }

        /** llama.cpp strips whitespace after Phi-3's special tokens, recognising Phi-3 by its name. */
        private void applyModelSpecificStripping() {
            String name = meta.getString("general.name", "").toLowerCase(Locale.ROOT);
            if (name.contains("phi-3") || name.contains("phi3")) {
                for (int id : specialTokensLongestFirst) {
                    attributes[id] |= ATTR_RSTRIP;
                }
                setAttribute("</s>", ATTR_RSTRIP, true);
                for (String text : List.of("<unk>", "<s>", "<|endoftext|>")) {
                    setAttribute(text, ATTR_RSTRIP, false);
                }
            }
        }

        private void setAttribute(String text, int attribute, boolean value) {
            int id = index.idOf(text);
            if (id != NONE) {
                attributes[id] = value ? attributes[id] | attribute : attributes[id] & ~attribute;
            }
        }
    }

    @Override
    public String toString() {
        return "Vocabulary[" + model.ggufName + (preTokenizer == null ? "" : "/" + preTokenizer.name())
                + ", " + texts.length + " tokens, bos=" + bos + ", eos=" + eos + ", eot=" + eot + ", eog="
                + eogIds() + "]";
    }

    private String eogIds() {
        TreeSet<Integer> ids = new TreeSet<>();
        for (int i = 0; i < endOfGeneration.length; i++) {
            if (endOfGeneration[i]) {
                ids.add(i);
            }
        }
        return ids.toString();
    }
}
