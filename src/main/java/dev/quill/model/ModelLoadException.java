package dev.quill.model;

/** A model file cannot be used: unsupported architecture or weight type, missing tensor, bad shape. */
public class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
