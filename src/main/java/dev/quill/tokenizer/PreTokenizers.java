package dev.quill.tokenizer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The pre-tokenizers named by {@code tokenizer.ggml.pre}, with the vocabulary flags llama.cpp's
 * loader sets for each name ({@code llama_vocab::impl::load}).
 */
final class PreTokenizers {
    /** Which regex chain a name selects. */
    enum Kind {
        LLAMA3, GPT2, QWEN2, STARCODER, DEFAULT
    }

    /**
     * What a {@code tokenizer.ggml.pre} value means.
     *
     * @param ignoreMerges emit a word as one token when the whole word is in the vocabulary
     * @param addBos       the default of {@code add_bos_token} when the file does not say
     * @param cleanSpaces  detokenizing removes spaces before punctuation (clean_up_tokenization_spaces)
     */
    record Spec(String name, Kind kind, boolean ignoreMerges, boolean addBos, boolean cleanSpaces) {
    }

    // Regexes exactly as llama.cpp lists them; the Llama 3 and GPT-2 ones run as hand-written scanners.
    private static final String QWEN2_REGEX = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final Map<String, Spec> BY_NAME = new LinkedHashMap<>();

    private static void register(Kind kind, boolean ignoreMerges, boolean addBos, boolean cleanSpaces, String... names) {
        for (String name : names) {
            BY_NAME.put(name, new Spec(name, kind, ignoreMerges, addBos, cleanSpaces));
        }
    }

    static {
        register(Kind.DEFAULT, false, false, true, "default");
        register(Kind.LLAMA3, true, true, true, "llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral");
        register(Kind.LLAMA3, false, false, true, "dbrx", "smaug-bpe");
        register(Kind.GPT2, false, false, true, "gpt-2", "phi-2", "mpt", "olmo");
        register(Kind.QWEN2, false, false, false, "qwen2", "deepseek-r1-qwen");
        register(Kind.QWEN2, false, false, true, "stablelm2", "megrez");
        register(Kind.STARCODER, false, false, true, "starcoder", "refact", "codeshell");
        register(Kind.STARCODER, false, false, false, "smollm", "command-r");
    }

    private static final PreTokenizer LLAMA3 = new PreTokenizer("llama3", List.of(new Llama3WordScanner()));
    private static final PreTokenizer GPT2 = new PreTokenizer("gpt-2", List.of(new Gpt2WordScanner()));
    private static final PreTokenizer QWEN2 = new PreTokenizer("qwen2", List.of(new RegexSplitStage(QWEN2_REGEX)));
    private static final PreTokenizer STARCODER = new PreTokenizer("starcoder",
            List.of(new RegexSplitStage("\\p{N}"), new Gpt2WordScanner()));
    private static final PreTokenizer DEFAULT = new PreTokenizer("default", List.of(
            new RegexSplitStage("[\\p{P}\\$\\+<=>\\^~\\|]+"),
            new Gpt2WordScanner(),
            new RegexSplitStage("\\p{N}+"),
            new RegexSplitStage("[0-9][0-9][0-9]")));

    private PreTokenizers() {
    }

    /**
     * The meaning of a {@code tokenizer.ggml.pre} value; a missing or empty value means "default"
     * as in llama.cpp (which warns that quality will suffer).
     *
     * @throws UnsupportedTokenizerException for a name Quill does not implement
     */
    static Spec spec(String name) {
        if (name == null || name.isEmpty()) {
            return BY_NAME.get("default");
        }
        Spec spec = BY_NAME.get(name);
        if (spec == null) {
            throw new UnsupportedTokenizerException("unsupported pre-tokenizer '" + name
                    + "' (tokenizer.ggml.pre); supported: " + String.join(", ", new TreeSet<>(BY_NAME.keySet())));
        }
        return spec;
    }

    static PreTokenizer forKind(Kind kind) {
        return switch (kind) {
            case LLAMA3 -> LLAMA3;
            case GPT2 -> GPT2;
            case QWEN2 -> QWEN2;
            case STARCODER -> STARCODER;
            case DEFAULT -> DEFAULT;
        };
    }
}
