package dev.quill.gguf;

import dev.quill.tensor.GgmlType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes GGUF version 3 files: header, metadata in insertion order, tensor infos, then the tensor
 * data, each tensor padded to the alignment as llama.cpp and gguf-py do (so the file size is a
 * multiple of the alignment).
 *
 * <p>Tensor data is streamed to disk in chunks from {@link MemorySegment}s (for example slices of
 * another {@link GgufFile}'s mapping) or from a {@link TensorDataSource}, so tensors of several GB
 * never have to be in the heap. Segments are read only during {@link #write}: they must stay alive
 * until then.
 *
 * <p>Everything is validated when it is added, so {@link #write} only fails on I/O errors or on a
 * {@link TensorDataSource} that produces the wrong number of bytes.
 */
public final class GgufWriter {
    public static final int VERSION = 3;
    /** ggml's GGML_MAX_NAME is 64 including the terminating NUL; llama.cpp rejects longer names. */
    public static final int MAX_TENSOR_NAME_BYTES = 63;
    private static final String ALIGNMENT_KEY = "general.alignment";
    /** Large enough for throughput, small enough that heap-backed segments are not copied whole. */
    private static final int CHUNK_BYTES = 1 << 20;

    /** Produces a tensor's bytes on demand, e.g. while quantizing, writing exactly its byte size. */
    @FunctionalInterface
    public interface TensorDataSource {
        void writeTo(WritableByteChannel out) throws IOException;
    }

    private record PendingTensor(String name, GgmlType type, long[] dims, long byteSize, MemorySegment segment,
            TensorDataSource source) {
    }

    private final Map<String, MetadataValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new HashSet<>();

    public GgufWriter() {
    }

    /** A writer holding all of {@code source}'s metadata and tensors, the tensors as slices of its mapping. */
    public static GgufWriter copyOf(GgufFile source) {
        GgufWriter writer = new GgufWriter().putAll(source.metadata());
        for (TensorInfo t : source.tensors()) {
            writer.addTensor(t.name(), t.type(), t.dims(), source.tensorData(t));
        }
        return writer;
    }

    /**
     * Sets {@code key}. A new key goes last; an existing key keeps its position and gets the new
     * value, so a copied file can be edited without reordering its metadata.
     */
    public GgufWriter put(String key, MetadataValue value) {
        Objects.requireNonNull(key, "metadata key");
        Objects.requireNonNull(value, "value of metadata " + key);
        if (key.isEmpty()) {
            throw new IllegalArgumentException("metadata key must not be empty");
        }
        int keyBytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (keyBytes > GgufFile.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("metadata key of " + keyBytes + " bytes is too long (the spec allows "
                    + GgufFile.MAX_NAME_BYTES + ")");
        }
        validate(key, value, 0);
        if (key.equals(ALIGNMENT_KEY)) {
            validateAlignment(value);
        }
        metadata.put(key, value);
        return this;
    }

    /** Copies every key of {@code source} in its order (see {@link #put} for keys already present). */
    public GgufWriter putAll(GgufMetadata source) {
        for (Map.Entry<String, MetadataValue> e : source.asMap().entrySet()) {
            put(e.getKey(), e.getValue());
        }
        return this;
    }

    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    /** The metadata as it will be written, in order. */
    public Map<String, MetadataValue> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** {@code general.alignment} when set, else {@link GgufFile#DEFAULT_ALIGNMENT}. */
    public int alignment() {
        MetadataValue v = metadata.get(ALIGNMENT_KEY);
        return v == null ? GgufFile.DEFAULT_ALIGNMENT : (int) integerValue(v);
    }

    /** Adds a tensor whose bytes are {@code data} (read during {@link #write}). */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, MemorySegment data) {
        Objects.requireNonNull(data, "data of tensor " + name);
        long expected = checkTensor(name, type, dims);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor " + name + ": " + type + " " + java.util.Arrays.toString(dims)
                    + " needs " + expected + " bytes, data has " + data.byteSize());
        }
        return add(new PendingTensor(name, type, dims.clone(), expected, data, null));
    }

    public GgufWriter addTensor(String name, GgmlType type, long[] dims, byte[] data) {
        Objects.requireNonNull(data, "data of tensor " + name);
        return addTensor(name, type, dims, MemorySegment.ofArray(data));
    }

    /** Adds a tensor whose bytes {@code source} writes during {@link #write}; it must write exactly the tensor's size. */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, TensorDataSource source) {
        Objects.requireNonNull(source, "data source of tensor " + name);
        long expected = checkTensor(name, type, dims);
        return add(new PendingTensor(name, type, dims.clone(), expected, null, source));
    }

    public int tensorCount() {
        return tensors.size();
    }

    private GgufWriter add(PendingTensor t) {
        tensors.add(t);
        tensorNames.add(t.name);
        return this;
    }

    /** Validates a tensor description and returns the byte size its data must have. */
    private long checkTensor(String name, GgmlType type, long[] dims) {
        Objects.requireNonNull(name, "tensor name");
        Objects.requireNonNull(type, "type of tensor " + name);
        Objects.requireNonNull(dims, "dimensions of tensor " + name);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes > MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name " + name + " is " + nameBytes + " bytes long, at most "
                    + MAX_TENSOR_NAME_BYTES + " allowed");
        }
        if (tensorNames.contains(name)) {
            throw new IllegalArgumentException("duplicate tensor name " + name);
        }
        if (dims.length < 1 || dims.length > GgufFile.MAX_DIMS) {
            throw new IllegalArgumentException("tensor " + name + " has " + dims.length + " dimensions (1.."
                    + GgufFile.MAX_DIMS + " allowed)");
        }
        long elements = 1;
        for (int d = 0; d < dims.length; d++) {
            if (dims[d] <= 0) {
                throw new IllegalArgumentException("tensor " + name + ": dimension " + d + " = " + dims[d] + " must be positive");
            }
            if (elements > Long.MAX_VALUE / dims[d]) {
                throw new IllegalArgumentException("tensor " + name + ": element count of " + java.util.Arrays.toString(dims)
                        + " overflows a long");
            }
            elements *= dims[d];
        }
        if (dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor " + name + " of type " + type + ": row length " + dims[0]
                    + " is not a multiple of the block size " + type.blockSize());
        }
        long bytes = type.byteSize(elements);
        if (bytes < 0) {
            throw new IllegalArgumentException("tensor " + name + ": byte size of " + java.util.Arrays.toString(dims)
                    + " overflows a long");
        }
        return bytes;
    }

    private static void validateAlignment(MetadataValue v) {
        if (v.type() != GgufValueType.UINT32) {
            throw new IllegalArgumentException(ALIGNMENT_KEY + " must be a UINT32, not " + v.type());
        }
        long a = integerValue(v);
        if (a <= 0 || Long.bitCount(a) != 1 || a > (1 << 20)) {
            throw new IllegalArgumentException(ALIGNMENT_KEY + " = " + a + " must be a power of two up to 2^20");
        }
    }

    private static long integerValue(MetadataValue v) {
        return ((Number) v.value()).longValue();
    }

    /** Checks that the Java value can be written as the declared GGUF type without loss. */
    private static void validate(String key, MetadataValue v, int depth) {
        Object x = v.value();
        switch (v.type()) {
            case UINT8 -> checkRange(key, v, x, 0, 0xFF);
            case INT8 -> checkRange(key, v, x, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case UINT16 -> checkRange(key, v, x, 0, 0xFFFF);
            case INT16 -> checkRange(key, v, x, Short.MIN_VALUE, Short.MAX_VALUE);
            case INT32 -> requireClass(key, v, x, Integer.class);
            case UINT32 -> {
                requireClass(key, v, x, Long.class);
                long l = (Long) x;
                if (l < 0 || l > 0xFFFF_FFFFL) {
                    throw new IllegalArgumentException("metadata " + key + ": " + l + " does not fit UINT32");
                }
            }
            case UINT64, INT64 -> requireClass(key, v, x, Long.class);
            case FLOAT32 -> requireClass(key, v, x, Float.class);
            case FLOAT64 -> requireClass(key, v, x, Double.class);
            case BOOL -> requireClass(key, v, x, Boolean.class);
            case STRING -> requireClass(key, v, x, String.class);
            case ARRAY -> validateArray(key, v, depth);
        }
    }

    private static void checkRange(String key, MetadataValue v, Object x, int min, int max) {
        requireClass(key, v, x, Integer.class);
        int i = (Integer) x;
        if (i < min || i > max) {
            throw new IllegalArgumentException("metadata " + key + ": " + i + " does not fit " + v.type());
        }
    }

    private static void requireClass(String key, MetadataValue v, Object x, Class<?> expected) {
        if (!expected.isInstance(x)) {
            throw new IllegalArgumentException("metadata " + key + " of type " + v.type() + " must hold a "
                    + expected.getSimpleName() + ", not a " + x.getClass().getSimpleName());
        }
    }

    private static void validateArray(String key, MetadataValue v, int depth) {
        if (depth >= GgufFile.MAX_ARRAY_NESTING) {
            throw new IllegalArgumentException("metadata " + key + ": arrays nested deeper than "
                    + GgufFile.MAX_ARRAY_NESTING + " (readers reject them)");
        }
        Object a = v.value();
        GgufValueType elem = v.elementType();
        Class<?> expected = switch (elem) {
            case UINT8, INT8, BOOL -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case FLOAT32 -> float[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT64 -> double[].class;
            case STRING -> String[].class;
            case ARRAY -> MetadataValue[].class;
        };
        if (!expected.isInstance(a)) {
            throw new IllegalArgumentException("metadata " + key + ": array of " + elem + " must be a "
                    + expected.getSimpleName() + ", not a " + a.getClass().getSimpleName());
        }
        if (a instanceof byte[] bytes && elem == GgufValueType.BOOL) {
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] != 0 && bytes[i] != 1) {
                    throw new IllegalArgumentException("metadata " + key + "[" + i + "]: boolean byte " + bytes[i] + " is neither 0 nor 1");
                }
            }
        } else if (a instanceof String[] strings) {
            for (int i = 0; i < strings.length; i++) {
                if (strings[i] == null) {
                    throw new IllegalArgumentException("metadata " + key + "[" + i + "] is null");
                }
            }
        } else if (a instanceof MetadataValue[] items) {
            for (int i = 0; i < items.length; i++) {
                MetadataValue item = items[i];
                if (item == null || item.type() != GgufValueType.ARRAY) {
                    throw new IllegalArgumentException("metadata " + key + "[" + i + "]: an array of arrays must hold arrays, not "
                            + (item == null ? "null" : item.type()));
                }
                validate(key + "[" + i + "]", item, depth + 1);
            }
        }
    }

    /**
     * Writes the file. It is written next to {@code path} under a temporary name and moved into
     * place once complete, so a failed write never leaves a truncated file that looks valid.
     */
    public void write(Path path) throws IOException {
        Path target = path.toAbsolutePath();
        Path temp = target.resolveSibling(target.getFileName() + ".partial");
        boolean done = false;
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                writeTo(out);
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Writes the whole file to {@code out} from its current position. */
    public void writeTo(WritableByteChannel out) throws IOException {
        int alignment = alignment();
        byte[] header = encodeHeader(alignment);
        long written = writeFully(out, ByteBuffer.wrap(header));
        written += writePadding(out, written, alignment);
        for (PendingTensor t : tensors) {
            if (t.segment != null) {
                written += writeSegment(out, t.segment);
            } else {
                CountingChannel counting = new CountingChannel(out);
                t.source.writeTo(counting);
                if (counting.count != t.byteSize) {
                    throw new IOException("tensor " + t.name + ": data source wrote " + counting.count
                            + " bytes, the tensor needs " + t.byteSize);
                }
                written += counting.count;
            }
            written += writePadding(out, written, alignment);
        }
    }

    private byte[] encodeHeader(int alignment) {
        HeaderBuffer h = new HeaderBuffer();
        h.i32(GgufFile.MAGIC);
        h.i32(VERSION);
        h.i64(tensors.size());
        h.i64(metadata.size());
        for (Map.Entry<String, MetadataValue> e : metadata.entrySet()) {
            h.string(e.getKey());
            h.i32(e.getValue().type().id());
            h.value(e.getValue());
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
            h.string(t.name);
            h.i32(t.dims.length);
            for (long d : t.dims) {
                h.i64(d);
            }
            h.i32(t.type.id());
            h.i64(offset);
            offset += alignUp(t.byteSize, alignment);
        }
        return h.toByteArray();
    }

    static long alignUp(long v, long alignment) {
        return (v + alignment - 1) / alignment * alignment;
    }

    private static long writePadding(WritableByteChannel out, long position, int alignment) throws IOException {
        int pad = (int) (alignUp(position, alignment) - position);
        return pad == 0 ? 0 : writeFully(out, ByteBuffer.allocate(pad));
    }

    private static long writeSegment(WritableByteChannel out, MemorySegment data) throws IOException {
        long size = data.byteSize();
        for (long off = 0; off < size; off += CHUNK_BYTES) {
            writeFully(out, data.asSlice(off, Math.min(CHUNK_BYTES, size - off)).asByteBuffer());
        }
        return size;
    }

    private static long writeFully(WritableByteChannel out, ByteBuffer buf) throws IOException {
        long n = buf.remaining();
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        return n;
    }

    /** Forwards writes and counts the bytes, to check a data source against the tensor size. */
    private static final class CountingChannel implements WritableByteChannel {
        private final WritableByteChannel out;
        long count;

        CountingChannel(WritableByteChannel out) {
            this.out = out;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = out.write(src);
            count += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() {
            // The file channel belongs to the writer.
        }
    }

    /** Little-endian encoder for the header, which is small enough (vocabularies included) for the heap. */
    private static final class HeaderBuffer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        void u8(int v) {
            bytes.write(v);
        }

        void i16(int v) {
            scratch.clear();
            scratch.putShort((short) v);
            bytes.write(scratch.array(), 0, 2);
        }

        void i32(int v) {
            scratch.clear();
            scratch.putInt(v);
            bytes.write(scratch.array(), 0, 4);
        }

        void i64(long v) {
            scratch.clear();
            scratch.putLong(v);
            bytes.write(scratch.array(), 0, 8);
        }

        void string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            i64(utf8.length);
            bytes.write(utf8, 0, utf8.length);
        }

        void value(MetadataValue v) {
            Object x = v.value();
            switch (v.type()) {
                case UINT8, INT8 -> u8((Integer) x);
                case UINT16, INT16 -> i16((Integer) x);
                case INT32 -> i32((Integer) x);
                case UINT32 -> i32((int) (long) (Long) x);
                case UINT64, INT64 -> i64((Long) x);
                // Raw bits, so NaN payloads survive a rewrite.
                case FLOAT32 -> i32(Float.floatToRawIntBits((Float) x));
                case FLOAT64 -> i64(Double.doubleToRawLongBits((Double) x));
                case BOOL -> u8((Boolean) x ? 1 : 0);
                case STRING -> string((String) x);
                case ARRAY -> array(v);
            }
        }

        void array(MetadataValue v) {
            i32(v.elementType().id());
            i64(v.length());
            switch (v.value()) {
                case byte[] a -> bytes.write(a, 0, a.length);
                case short[] a -> {
                    for (short s : a) {
                        i16(s);
                    }
                }
                case int[] a -> {
                    for (int i : a) {
                        i32(i);
                    }
                }
                case float[] a -> {
                    for (float f : a) {
                        i32(Float.floatToRawIntBits(f));
                    }
                }
                case long[] a -> {
                    for (long l : a) {
                        i64(l);
                    }
                }
                case double[] a -> {
                    for (double d : a) {
                        i64(Double.doubleToRawLongBits(d));
                    }
                }
                case String[] a -> {
                    for (String s : a) {
                        string(s);
                    }
                }
                case MetadataValue[] a -> {
                    for (MetadataValue item : a) {
                        array(item);
                    }
                }
                default -> throw new IllegalStateException("unvalidated array " + v.value().getClass());
            }
        }

        byte[] toByteArray() {
            return bytes.toByteArray();
        }
    }
}
