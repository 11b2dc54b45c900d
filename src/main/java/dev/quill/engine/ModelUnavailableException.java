package dev.quill.engine;

/**
 * A known model cannot serve now: its file failed to load, it was unloaded while a request
 * waited, or no model is installed at all. The server stays up; the message says what to do.
 */
public final class ModelUnavailableException extends RuntimeException {
    private final String model;

    public ModelUnavailableException(String model, String message) {
        super(message);
        this.model = model;
    }

    public ModelUnavailableException(String model, String message, Throwable cause) {
        super(message, cause);
        this.model = model;
    }

    /** The model's id, or null when none was available at all. */
    public String model() {
        return model;
    }
}
