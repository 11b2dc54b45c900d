package dev.quill.tokenizer;

/** The kind of a vocabulary entry, as GGUF's {@code tokenizer.ggml.token_type} encodes it. */
public enum TokenType {
    UNDEFINED(0),
    NORMAL(1),
    UNKNOWN(2),
    CONTROL(3),
    USER_DEFINED(4),
    UNUSED(5),
    BYTE(6);

    private final int ggufCode;

    TokenType(int ggufCode) {
        this.ggufCode = ggufCode;
    }

    public int ggufCode() {
        return ggufCode;
    }
}
