package dev.quill.tokenizer;

import dev.quill.gguf.GgufFile;
import dev.quill.gguf.GgufFormatException;
import dev.quill.gguf.GgufMetadata;

import java.io.IOException;
import java.nio.file.Path;

/** Builds the tokenizer a GGUF file describes. */
public final class Tokenizers {
    private Tokenizers() {
    }

    /**
     * The tokenizer for {@code tokenizer.ggml.model}: {@code llama} (SentencePiece) or
     * {@code gpt2} (byte-level BPE, pre-tokenizer from {@code tokenizer.ggml.pre}).
     *
     * @throws UnsupportedTokenizerException for another model or an unknown pre-tokenizer
     * @throws GgufFormatException           when the tokenizer metadata is missing or malformed
     */
    public static Tokenizer fromGguf(GgufMetadata metadata) {
        Vocabulary vocabulary = Vocabulary.fromGguf(metadata);
        return switch (vocabulary.model) {
            case SENTENCE_PIECE -> new SentencePieceTokenizer(vocabulary);
            case BYTE_PAIR -> {
                if (!metadata.contains("tokenizer.ggml.merges")) {
                    throw new GgufFormatException("tokenizer.ggml.merges is missing: a gpt2 tokenizer needs its merge list");
                }
                yield new BytePairTokenizer(vocabulary, metadata.getStringArray("tokenizer.ggml.merges"));
            }
        };
    }

    /** Opens the file, reads its tokenizer and closes it again. */
    public static Tokenizer fromGguf(Path ggufFile) throws IOException {
        try (GgufFile file = GgufFile.open(ggufFile)) {
            return fromGguf(file.metadata());
        }
    }
}
