package dev.quill.gguf;

import dev.quill.tensor.GgmlType;
import java.util.Arrays;

/**
 * A tensor's description from the GGUF header. {@code dims[0]} is the fastest-varying dimension
 * (ggml's ne[0], the row length); {@code offset} is relative to the start of the tensor data.
 */
public record TensorInfo(String name, long[] dims, GgmlType type, long offset, long byteSize) {
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** Length of one row (ne[0]). */
    public long rowLength() {
        return dims[0];
    }

    /** Number of rows: the product of all dimensions after the first. */
    public long rowCount() {
        long n = 1;
        for (int i = 1; i < dims.length; i++) {
            n *= dims[i];
        }
        return n;
    }

    public String shape() {
        return Arrays.toString(dims);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && Arrays.equals(t.dims, dims) && t.type == type
                && t.offset == offset && t.byteSize == byteSize;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + shape();
    }
}
