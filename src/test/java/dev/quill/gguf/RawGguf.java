package dev.quill.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds GGUF bytes field by field with no validation, so tests can write files the writer refuses
 * to produce (wrong counts, unknown types, bad offsets).
 */
final class RawGguf {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    /** Magic "GGUF", version 3, and the two counts. */
    static RawGguf header(long tensorCount, long kvCount) {
        return new RawGguf().u32(GgufFile.MAGIC).u32(3).u64(tensorCount).u64(kvCount);
    }

    RawGguf u8(int v) {
        bytes.write(v);
        return this;
    }

    RawGguf u32(int v) {
        return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    RawGguf u64(long v) {
        return put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    RawGguf put(byte[] b) {
        bytes.write(b, 0, b.length);
        return this;
    }

    RawGguf str(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return u64(utf8.length).put(utf8);
    }

    /** A key and a value type id; the caller appends the value. */
    RawGguf key(String key, GgufValueType type) {
        return str(key).u32(type.id());
    }

    RawGguf kvU32(String key, int value) {
        return key(key, GgufValueType.UINT32).u32(value);
    }

    RawGguf kvString(String key, String value) {
        return key(key, GgufValueType.STRING).str(value);
    }

    /** A tensor info: name, dims, type id, offset. */
    RawGguf tensor(String name, long[] dims, int typeId, long offset) {
        str(name).u32(dims.length);
        for (long d : dims) {
            u64(d);
        }
        return u32(typeId).u64(offset);
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    RawGguf pad(int alignment) {
        while (bytes.size() % alignment != 0) {
            bytes.write(0);
        }
        return this;
    }

    RawGguf zeros(int n) {
        return put(new byte[n]);
    }

    int size() {
        return bytes.size();
    }

    byte[] toBytes() {
        return bytes.toByteArray();
    }

    Path writeTo(Path file) throws IOException {
        return Files.write(file, bytes.toByteArray());
    }
}
