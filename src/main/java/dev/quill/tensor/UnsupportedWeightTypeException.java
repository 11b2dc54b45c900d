package dev.quill.tensor;

/** Thrown when a model uses a weight type the engine has no kernels for (IQ*, TQ*, ...). */
public class UnsupportedWeightTypeException extends RuntimeException {
    private final GgmlType type;

    public UnsupportedWeightTypeException(GgmlType type) {
        super("weight type " + type + " is not supported; supported: " + GgmlType.supportedNames());
        this.type = type;
    }

    public GgmlType type() {
        return type;
    }
}
