package dev.quill.gguf;

/** A GGUF file is malformed, hostile or uses something Quill does not read. The message names the problem. */
public class GgufFormatException extends RuntimeException {
    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
