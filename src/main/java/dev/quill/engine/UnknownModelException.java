package dev.quill.engine;

/** A request named a model the registry does not know. */
public final class UnknownModelException extends RuntimeException {
    private final String model;

    public UnknownModelException(String model, String message) {
        super(message);
        this.model = model;
    }

    public String model() {
        return model;
    }
}
