package dev.quill.model;

/** A sequence would grow past the context length its KV cache was sized for. */
public class ContextLengthExceededException extends RuntimeException {
    private final int requested;
    private final int contextLength;

    public ContextLengthExceededException(int requested, int contextLength) {
        super("context length exceeded: " + requested + " tokens requested, the context holds " + contextLength);
        this.requested = requested;
        this.contextLength = contextLength;
    }

    public int requested() {
        return requested;
    }

    public int contextLength() {
        return contextLength;
    }
}
