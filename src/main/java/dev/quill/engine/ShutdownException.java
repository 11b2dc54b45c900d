package dev.quill.engine;

/** The server is shutting down: new requests are refused, and those still running at the deadline are ended (503). */
public final class ShutdownException extends RuntimeException {
    public ShutdownException(String message) {
        super(message);
    }
}
