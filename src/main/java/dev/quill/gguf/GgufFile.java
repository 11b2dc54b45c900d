package dev.quill.gguf;

import dev.quill.tensor.GgmlType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (v2 or v3) opened read-only and memory-mapped. Weights are never copied to the heap:
 * {@link #tensorData} returns slices of the mapping. Closing releases the mapping and the file
 * handle; slices must not be used afterwards.
 *
 * <p>The header comes from an untrusted file, so every count and length is checked against the
 * bytes that remain before anything is allocated from it.
 */
public final class GgufFile implements AutoCloseable {
    /** "GGUF" read as a little-endian uint32. */
    public static final int MAGIC = 0x46554747;
    public static final int DEFAULT_ALIGNMENT = 32;
    /** ggml tensors have at most four dimensions. */
    public static final int MAX_DIMS = 4;
    static final int MAX_ARRAY_NESTING = 8;
    static final int MAX_ALIGNMENT = 1 << 20;
    static final int MAX_NAME_BYTES = 65535;
    static final int STRICT_UTF8_FROM_BYTES = 1 << 16;
    // Rough heap costs of decoded header objects, for the memory budget of a hostile header.
    private static final int STRING_OVERHEAD = 40;
    private static final int ARRAY_OVERHEAD = 16;
    private static final int VALUE_OVERHEAD = 32;
    private static final int ENTRY_OVERHEAD = 48 + VALUE_OVERHEAD;
    private static final int TENSOR_OVERHEAD = 200;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final GgufMetadata metadata;
    private final List<TensorInfo> tensors;
    private final Map<String, TensorInfo> tensorsByName;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, GgufHeaderReader header) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.version = header.version;
        this.metadata = header.metadata;
        this.tensors = Collections.unmodifiableList(header.tensors);
        Map<String, TensorInfo> byName = new HashMap<>();
        for (TensorInfo t : header.tensors) {
            byName.put(t.name(), t);
        }
        this.tensorsByName = byName;
        this.alignment = header.alignment;
        this.dataOffset = header.dataOffset;
    }

    /** Opens and validates {@code path}; throws {@link GgufFormatException} naming any problem. */
    public static GgufFile open(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "model file not found");
        }
        if (Files.isDirectory(path)) {
            throw new GgufFormatException(path + " is a directory, not a GGUF file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            MemorySegment mapping = size == 0 ? MemorySegment.NULL.reinterpret(0)
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            GgufHeaderReader header = new GgufHeaderReader(mapping, path.getFileName().toString());
            header.read();
            return new GgufFile(path, arena, mapping, header);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public long fileSize() {
        return mapping.byteSize();
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    public List<TensorInfo> tensors() {
        return tensors;
    }

    /** The tensor called {@code name}, or null. */
    public TensorInfo tensor(String name) {
        return tensorsByName.get(name);
    }

    public int alignment() {
        return alignment;
    }

    /** File offset where tensor data starts. */
    public long dataOffset() {
        return dataOffset;
    }

    /** The tensor's bytes as a slice of the mapping (no copy). */
    public MemorySegment tensorData(TensorInfo tensor) {
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException(path + " is closed");
        }
        return mapping.asSlice(dataOffset + tensor.offset(), tensor.byteSize());
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    /** Parses the header from the start of a mapped file. Package-private for tests. */
    static final class GgufHeaderReader {
        private final MemorySegment seg;
        private final String fileName;
        private final long size;
        private final long heapBudget;
        private long heapUsed;
        /** Reused for string bytes so decoding allocates only the String itself. */
        private byte[] scratch = new byte[256];
        private long pos;
        int version;
        GgufMetadata metadata;
        final List<TensorInfo> tensors = new ArrayList<>();
        int alignment = DEFAULT_ALIGNMENT;
        long dataOffset;

        GgufHeaderReader(MemorySegment seg, String fileName) {
            this(seg, fileName, defaultHeapBudget());
        }

        GgufHeaderReader(MemorySegment seg, String fileName, long heapBudget) {
            this.seg = seg;
            this.fileName = fileName;
            this.size = seg.byteSize();
            this.heapBudget = heapBudget;
        }

        /**
         * Counts and lengths are bounded by the file size, but decoding amplifies them (an empty
         * string takes 8 bytes in the file and ~40 on the heap), so a large hostile file could still
         * exhaust the heap. Real headers, vocabularies included, need a few tens of MB.
         */
        static long defaultHeapBudget() {
            return Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4);
        }

        /** Accounts for {@code bytes} of heap about to be allocated for {@code what}. */
        private void charge(long bytes, String what) {
            if (bytes < 0 || bytes > heapBudget - heapUsed) {
                throw overBudget(what);
            }
            heapUsed += bytes;
        }

        private GgufFormatException overBudget(String what) {
            return error(what + " at byte " + pos + " would take the header's decoded size past the limit of "
                    + heapBudget + " bytes of memory; the file is corrupt or hostile");
        }

        private GgufFormatException error(String message) {
            return new GgufFormatException(fileName + ": " + message);
        }

        private void need(long bytes, String what) {
            if (bytes < 0 || bytes > size - pos) {
                throw error("truncated: " + what + " at byte " + pos + " needs " + (bytes < 0 ? "a negative number of" : String.valueOf(bytes))
                        + " bytes, only " + (size - pos) + " remain (file has " + size + ")");
            }
        }

        private int u8() {
            need(1, "a byte");
            return seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, pos++) & 0xFF;
        }

        private int i32(String what) {
            need(4, what);
            int v = seg.get(LE.INT, pos);
            pos += 4;
            return v;
        }

        private long i64(String what) {
            need(8, what);
            long v = seg.get(LE.LONG, pos);
            pos += 8;
            return v;
        }

        private String string(String what) {
            return string(what, -1);
        }

        /**
         * A key or tensor name. The spec caps keys at 65535 bytes (llama.cpp caps tensor names at
         * 63); without a cap, one corrupt length turns the rest of a multi-GB file into a "name".
         */
        private String name(String what) {
            if (size - pos >= 8) {
                long len = seg.get(LE.LONG, pos);
                if (len > MAX_NAME_BYTES || len < 0) {
                    throw error(what + " at byte " + pos + " claims " + Long.toUnsignedString(len) + " bytes; names are at most "
                            + MAX_NAME_BYTES);
                }
            }
            return string(what);
        }

        /**
         * Reads a string labelled {@code what}, or {@code what[index]} when {@code index >= 0}. The
         * label is only built for an error: vocabularies hold hundreds of thousands of strings.
         */
        private String string(String what, long index) {
            if (size - pos < 8) {
                need(8, label(what, index) + " length");
            }
            long len = seg.get(LE.LONG, pos);
            pos += 8;
            if (len < 0 || len > size - pos) {
                throw error(label(what, index) + " at byte " + (pos - 8) + " claims " + Long.toUnsignedString(len)
                        + " bytes, past the end of the file (" + (size - pos) + " bytes remain)");
            }
            long cost = STRING_OVERHEAD + len;
            if (cost > heapBudget - heapUsed || len > Integer.MAX_VALUE - 16) {
                throw overBudget(label(what, index) + " of " + len + " bytes");
            }
            heapUsed += cost;
            if (len == 0) {
                return "";
            }
            int n = (int) len;
            if (scratch.length < n) {
                scratch = new byte[Math.max(n, scratch.length * 2)];
            }
            MemorySegment.copy(seg, java.lang.foreign.ValueLayout.JAVA_BYTE, pos, scratch, 0, n);
            if (n > STRICT_UTF8_FROM_BYTES) {
                requireUtf8(what, index, n);
            }
            pos += n;
            return new String(scratch, 0, n, java.nio.charset.StandardCharsets.UTF_8);
        }

        /**
         * Short strings (tokens) decode leniently, since some vocabularies hold byte fragments. A
         * long string must be valid UTF-8: when a corrupt length makes the weights read as text,
         * this fails at once instead of decoding up to a GB of garbage at ~50 ns a byte.
         */
        private void requireUtf8(String what, long index, int n) {
            java.nio.charset.CharsetDecoder decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder();
            java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(scratch, 0, n);
            java.nio.CharBuffer out = java.nio.CharBuffer.allocate(8192);
            while (true) {
                java.nio.charset.CoderResult result = decoder.decode(in, out, true);
                if (result.isError()) {
                    throw error(label(what, index) + " at byte " + (pos - 8) + " (" + n + " bytes) is not valid UTF-8 at its byte "
                            + in.position() + "; its length is probably corrupt");
                }
                if (result.isUnderflow()) {
                    return;
                }
                out.clear();
            }
        }

        private static String label(String what, long index) {
            return index < 0 ? what : what + "[" + index + "]";
        }

        void read() {
            if (size < 4) {
                throw error("not a GGUF file: only " + size + " bytes");
            }
            int magic = i32("magic");
            if (magic != MAGIC) {
                if (Integer.reverseBytes(magic) == MAGIC) {
                    throw error("big-endian GGUF files are not supported");
                }
                throw error(String.format("not a GGUF file: bad magic 0x%08x (expected \"GGUF\")", magic));
            }
            version = i32("version");
            if (version != 2 && version != 3) {
                if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
                    throw error("big-endian GGUF files are not supported");
                }
                throw error("unsupported GGUF version " + Integer.toUnsignedString(version) + " (supported: 2, 3)");
            }
            long tensorCount = i64("tensor count");
            long kvCount = i64("metadata count");
            // Each tensor info takes at least 8+4+8+4+8 bytes, each key/value at least 8+4+1.
            if (tensorCount < 0 || tensorCount > (size - pos) / 32) {
                throw error("absurd tensor count " + Long.toUnsignedString(tensorCount) + " for a file of " + size + " bytes");
            }
            if (kvCount < 0 || kvCount > (size - pos) / 13) {
                throw error("absurd metadata count " + Long.toUnsignedString(kvCount) + " for a file of " + size + " bytes");
            }
            Map<String, MetadataValue> kv = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = name("metadata key #" + i);
                int typeId = i32("type of metadata " + key);
                GgufValueType type = GgufValueType.byId(typeId);
                if (type == null) {
                    throw error("metadata " + key + " has unknown value type " + typeId);
                }
                charge(ENTRY_OVERHEAD, "metadata " + key);
                MetadataValue value = value(key, type, 0);
                if (kv.putIfAbsent(key, value) != null) {
                    throw error("duplicate metadata key " + key);
                }
            }
            metadata = new GgufMetadata(kv);
            if (metadata.contains("general.alignment")) {
                long a;
                try {
                    a = metadata.getLong("general.alignment");
                } catch (GgufFormatException e) {
                    throw error(e.getMessage());
                }
                if (a <= 0 || a > MAX_ALIGNMENT || Long.bitCount(a) != 1) {
                    throw error("general.alignment = " + a + " must be a power of two up to " + MAX_ALIGNMENT);
                }
                alignment = (int) a;
            }
            java.util.Set<String> names = new java.util.HashSet<>();
            for (long i = 0; i < tensorCount; i++) {
                TensorInfo t = tensorInfo(i);
                if (!names.add(t.name())) {
                    throw error("duplicate tensor name " + t.name());
                }
                tensors.add(t);
            }
            dataOffset = alignUp(pos, alignment);
            if (tensorCount > 0 && dataOffset > size) {
                throw error("tensor data would start at byte " + dataOffset + ", file has " + size);
            }
            for (TensorInfo t : tensors) {
                long start = dataOffset + t.offset();
                long end = start + t.byteSize();
                if (start < dataOffset || end < start || end > size) {
                    throw error("tensor " + t.name() + ": data ends at byte " + (end < start ? "past 2^63" : String.valueOf(end))
                            + ", file has " + size);
                }
            }
        }

        private static long alignUp(long v, long a) {
            return (v + a - 1) / a * a;
        }

        private TensorInfo tensorInfo(long index) {
            String name = name("tensor #" + index + " name");
            charge(TENSOR_OVERHEAD, "tensor " + name);
            int nDims = i32("dimension count of tensor " + name);
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw error("tensor " + name + " has " + Integer.toUnsignedString(nDims) + " dimensions (1.." + MAX_DIMS + " allowed)");
            }
            long[] dims = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long dim = i64("dimension " + d + " of tensor " + name);
                if (dim <= 0 || dim > Integer.MAX_VALUE) {
                    throw error("tensor " + name + " has absurd dimension " + d + " = " + Long.toUnsignedString(dim));
                }
                if (elements > Long.MAX_VALUE / dim) {
                    throw error("tensor " + name + " has absurd dimensions: element count overflows");
                }
                elements *= dim;
                dims[d] = dim;
            }
            int typeId = i32("type of tensor " + name);
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) {
                throw error("tensor " + name + " has unknown weight type id " + Integer.toUnsignedString(typeId));
            }
            if (dims[0] % type.blockSize() != 0) {
                throw error("tensor " + name + " of type " + type + " has row length " + dims[0]
                        + ", not a multiple of the block size " + type.blockSize());
            }
            long bytes = type.byteSize(elements);
            if (bytes < 0 || bytes > size) {
                throw error("tensor " + name + " needs " + (bytes < 0 ? "more than 2^63" : String.valueOf(bytes))
                        + " bytes of data, file has " + size);
            }
            long offset = i64("data offset of tensor " + name);
            if (offset < 0 || offset > size) {
                throw error("tensor " + name + ": data offset " + Long.toUnsignedString(offset) + " is past the end of the file (" + size + " bytes)");
            }
            if (offset % alignment != 0) {
                throw error("tensor " + name + ": data offset " + offset + " is not a multiple of the alignment " + alignment);
            }
            return new TensorInfo(name, dims, type, offset, bytes);
        }

        private MetadataValue value(String key, GgufValueType type, int depth) {
            return switch (type) {
                case UINT8 -> MetadataValue.of(type, u8());
                case INT8 -> MetadataValue.of(type, (int) (byte) u8());
                case UINT16 -> MetadataValue.of(type, (int) (char) i16(key));
                case INT16 -> MetadataValue.of(type, (int) i16(key));
                case UINT32 -> MetadataValue.of(type, Integer.toUnsignedLong(i32(key)));
                case INT32 -> MetadataValue.of(type, i32(key));
                case FLOAT32 -> MetadataValue.of(type, Float.intBitsToFloat(i32(key)));
                case BOOL -> MetadataValue.of(type, bool(key));
                case STRING -> MetadataValue.of(type, string("metadata " + key));
                case UINT64, INT64 -> MetadataValue.of(type, i64(key));
                case FLOAT64 -> MetadataValue.of(type, Double.longBitsToDouble(i64(key)));
                case ARRAY -> array(key, depth);
            };
        }

        private short i16(String what) {
            need(2, what);
            short v = seg.get(LE.SHORT, pos);
            pos += 2;
            return v;
        }

        private boolean bool(String key) {
            int b = u8();
            if (b > 1) {
                throw error("metadata " + key + ": boolean byte " + b + " at " + (pos - 1) + " is neither 0 nor 1");
            }
            return b == 1;
        }

        private MetadataValue array(String key, int depth) {
            if (depth >= MAX_ARRAY_NESTING) {
                throw error("metadata " + key + ": arrays nested deeper than " + MAX_ARRAY_NESTING);
            }
            int elemTypeId = i32("element type of array " + key);
            GgufValueType elem = GgufValueType.byId(elemTypeId);
            if (elem == null) {
                throw error("metadata " + key + ": array has unknown element type " + elemTypeId);
            }
            long count = i64("length of array " + key);
            if (count < 0 || count > (size - pos) / elem.minEncodedBytes()) {
                throw error("metadata " + key + ": array of " + Long.toUnsignedString(count) + " " + elem
                        + " values does not fit in the " + (size - pos) + " bytes left");
            }
            // Strings and nested arrays are charged again one by one as they are decoded.
            int elementHeapBytes = switch (elem) {
                case UINT8, INT8, BOOL -> 1;
                case UINT16, INT16 -> 2;
                case UINT32, INT32, FLOAT32, STRING -> 4;
                case UINT64, INT64, FLOAT64 -> 8;
                case ARRAY -> 4 + VALUE_OVERHEAD;
            };
            charge(ARRAY_OVERHEAD + count * elementHeapBytes, "metadata " + key + ": array of " + count + " " + elem);
            int n = (int) count;
            switch (elem) {
                case UINT8, INT8 -> {
                    byte[] a = seg.asSlice(pos, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                    pos += n;
                    return MetadataValue.array(elem, a);
                }
                case BOOL -> {
                    byte[] a = new byte[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = (byte) (bool(key) ? 1 : 0);
                    }
                    return MetadataValue.array(elem, a);
                }
                case UINT16, INT16 -> {
                    short[] a = new short[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = i16(key);
                    }
                    return MetadataValue.array(elem, a);
                }
                case UINT32, INT32 -> {
                    int[] a = new int[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = i32(key);
                    }
                    return MetadataValue.array(elem, a);
                }
                case FLOAT32 -> {
                    float[] a = new float[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = Float.intBitsToFloat(i32(key));
                    }
                    return MetadataValue.array(elem, a);
                }
                case UINT64, INT64 -> {
                    long[] a = new long[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = i64(key);
                    }
                    return MetadataValue.array(elem, a);
                }
                case FLOAT64 -> {
                    double[] a = new double[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = Double.longBitsToDouble(i64(key));
                    }
                    return MetadataValue.array(elem, a);
                }
                case STRING -> {
                    String[] a = new String[n];
                    String what = "metadata " + key;
                    for (int i = 0; i < n; i++) {
                        a[i] = string(what, i);
                    }
                    return MetadataValue.array(elem, a);
                }
                case ARRAY -> {
                    MetadataValue[] a = new MetadataValue[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = array(key + "[" + i + "]", depth + 1);
                    }
                    return MetadataValue.array(elem, a);
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    /** Little-endian unaligned layouts: GGUF is little-endian and packs values without padding. */
    static final class LE {
        static final java.lang.foreign.ValueLayout.OfInt INT =
                java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
        static final java.lang.foreign.ValueLayout.OfLong LONG =
                java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
        static final java.lang.foreign.ValueLayout.OfShort SHORT =
                java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

        private LE() {
        }
    }
}
