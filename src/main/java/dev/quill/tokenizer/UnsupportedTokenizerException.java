package dev.quill.tokenizer;

/** The GGUF file asks for a tokenizer model or pre-tokenizer that Quill does not implement. */
public final class UnsupportedTokenizerException extends RuntimeException {
    public UnsupportedTokenizerException(String message) {
        super(message);
    }
}
