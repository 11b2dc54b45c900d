package dev.quill.tokenizer;

/**
 * Text to token ids and back, reproducing llama.cpp's tokenizers for GGUF vocabularies.
 * Implementations are immutable and safe to share between threads.
 *
 * <p>Create one with {@link Tokenizers#fromGguf}.
 */
public interface Tokenizer {
    /** Returned by {@link #bos()}, {@link #eos()} and {@link #eot()} when the vocabulary has no such token. */
    int NO_TOKEN = -1;

    /**
     * Tokenizes text as {@code llama_tokenize} does.
     *
     * @param addSpecial   add the BOS (and EOS) token where the model wants them ({@link #addBos()})
     * @param parseSpecial recognise special tokens written in the text ({@code <|eot_id|>}, {@code </s>});
     *                     true only for trusted template text, false for user content, which then
     *                     tokenizes such strings as ordinary characters
     */
    default int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        return encode(text, addSpecial, parseSpecial, null);
    }

    /**
     * Tokenizes a rendered template: special tokens are recognised in the template's own text but
     * not inside {@code literalRanges}, the parts that came from users (message contents), so a
     * user typing {@code <|eot_id|>} cannot end a turn.
     *
     * @param literalRanges char offsets [start0, end0, start1, end1, ...] where no special token
     *                      may be recognised; null for none
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial, int[] literalRanges);

    /**
     * The tokens' bytes concatenated and read as UTF-8 (malformed sequences as U+FFFD), with
     * special tokens as their text and no space stripping: what llama.cpp prints token by token
     * with {@code common_token_to_piece(..., special = true)}.
     */
    String decode(int[] ids);

    /**
     * llama.cpp's {@code llama_detokenize}: for SentencePiece the first token's leading space is
     * dropped (the space the tokenizer prefixed), unless {@code removeSpecial} removed a leading
     * BOS; byte-level BPE vocabularies marked so also clean spaces before punctuation.
     *
     * @param removeSpecial  drop a leading BOS and trailing EOS if the model adds them
     * @param unparseSpecial render control and unknown tokens as their text instead of nothing
     */
    String detokenize(int[] ids, boolean removeSpecial, boolean unparseSpecial);

    /**
     * The bytes the token stands for: SentencePiece {@code ▁} as space, {@code <0xNN>} byte tokens
     * as that byte, byte-level BPE characters mapped back to bytes, control tokens as their text.
     * The bytes of one token need not be complete UTF-8.
     */
    default byte[] tokenBytes(int id) {
        return tokenBytes(id, true);
    }

    /** As {@link #tokenBytes(int)}, but control and unknown tokens are empty unless {@code renderSpecial}. */
    byte[] tokenBytes(int id, boolean renderSpecial);

    int vocabSize();

    /** The token's string in the vocabulary, e.g. {@code ▁Hello}, {@code ĠHello} or {@code <0x0A>}. */
    String tokenText(int id);

    TokenType tokenType(int id);

    int bos();

    int eos();

    /** End of turn ({@code <|eot_id|>}, {@code <|im_end|>}, ...), or {@link #NO_TOKEN}. */
    int eot();

    /** Whether generation stops at this token: EOS, EOT, EOM and the other end tokens llama.cpp knows by name. */
    boolean isEndOfGeneration(int id);

    /** Whether {@link #encode} with {@code addSpecial} prepends BOS. */
    boolean addBos();

    /** Whether {@link #encode} with {@code addSpecial} appends EOS. */
    boolean addEos();

    /** The GGUF {@code tokenizer.ggml.model}: {@code llama} (SentencePiece) or {@code gpt2} (byte-level BPE). */
    String model();
}
