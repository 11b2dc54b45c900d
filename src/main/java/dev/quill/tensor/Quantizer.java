package dev.quill.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Encodes float rows into one ggml type, block for block as llama.cpp lays them out, so the result
 * can be written to a GGUF file and read back by {@link WeightMatrix#of}. The K-type encoders use
 * simple per-block min/max fits, not llama.cpp's error-minimising search: valid, a little less
 * accurate.
 */
public interface Quantizer {
    /** Encodes {@code src[srcOff .. srcOff+n)} into {@code dst} at {@code dstOff}. */
    @FunctionalInterface
    interface RowEncoder {
        void encode(float[] src, int srcOff, int n, MemorySegment dst, long dstOff);
    }

    GgmlType type();

    /**
     * Encodes {@code n} values (a whole number of blocks) from {@code src[srcOff..]} into
     * {@code type().byteSize(n)} bytes of {@code dst} at {@code dstOff}.
     */
    void quantizeRow(float[] src, int srcOff, int n, MemorySegment dst, long dstOff);

    /** Encodes a row-major {@code rows × cols} matrix into a new segment of {@code arena}. */
    default MemorySegment quantize(float[] src, int rows, int cols, Arena arena) {
        long rowBytes = type().byteSize(cols);
        if (rowBytes < 0) {
            throw new IllegalArgumentException(type() + " needs rows of whole blocks of "
                    + type().blockSize() + " values, got " + cols);
        }
        if ((long) rows * cols > src.length) {
            throw new IllegalArgumentException(rows + "x" + cols + " values requested, source has " + src.length);
        }
        MemorySegment dst = arena.allocate(rowBytes * rows, 16);
        for (int r = 0; r < rows; r++) {
            quantizeRow(src, r * cols, cols, dst, r * rowBytes);
        }
        return dst;
    }

    /** The encoder for {@code type}; unsupported types are refused by name. */
    static Quantizer of(GgmlType type) {
        RowEncoder encoder = switch (type) {
            case F32 -> F32Matrix::quantizeRow;
            case F16 -> F16Matrix::quantizeRow;
            case BF16 -> BF16Matrix::quantizeRow;
            case Q8_0 -> Q8_0Matrix::quantizeRow;
            case Q4_0 -> Q4_0Matrix::quantizeRow;
            case Q4_1 -> Q4_1Matrix::quantizeRow;
            case Q5_0 -> Q5_0Matrix::quantizeRow;
            case Q5_1 -> Q5_1Matrix::quantizeRow;
            case Q2_K -> Q2_KMatrix::quantizeRow;
            case Q3_K -> Q3_KMatrix::quantizeRow;
            case Q4_K -> Q4_KMatrix::quantizeRow;
            case Q5_K -> Q5_KMatrix::quantizeRow;
            case Q6_K -> Q6_KMatrix::quantizeRow;
            default -> throw new UnsupportedWeightTypeException(type);
        };
        return new TypedQuantizer(type, encoder);
    }
}

/** A {@link Quantizer} that checks its arguments and hands the row to a type's encoder. */
record TypedQuantizer(GgmlType type, Quantizer.RowEncoder encoder) implements Quantizer {
    @Override
    public void quantizeRow(float[] src, int srcOff, int n, MemorySegment dst, long dstOff) {
        Simd.checkRow(type, n, dst, dstOff);
        if (srcOff < 0 || srcOff > src.length - n) {
            throw new IllegalArgumentException(type + ": source range " + srcOff + "+" + n
                    + " is outside an array of " + src.length);
        }
        encoder.encode(src, srcOff, n, dst, dstOff);
    }
}
