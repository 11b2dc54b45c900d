package dev.quill.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.tensor.GgmlType;
import dev.quill.testutil.SharedData;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GgufWriterTest {
    @TempDir
    Path dir;

    private static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static MetadataValue nested(int depth) {
        MetadataValue leaf = MetadataValue.int32Array(new int[] {depth, -depth});
        return depth == 0 ? leaf : MetadataValue.array(GgufValueType.ARRAY, new MetadataValue[] {nested(depth - 1), leaf});
    }

    /** One value of every scalar type at its edges and one array of every element type. */
    private static GgufWriter everyMetadataType() {
        return new GgufWriter()
                .put("u8", MetadataValue.of(GgufValueType.UINT8, 255))
                .put("i8", MetadataValue.of(GgufValueType.INT8, -128))
                .put("u16", MetadataValue.of(GgufValueType.UINT16, 65535))
                .put("i16", MetadataValue.of(GgufValueType.INT16, -32768))
                .put("u32", MetadataValue.uint32(0xFFFF_FFFFL))
                .put("i32", MetadataValue.int32(Integer.MIN_VALUE))
                .put("u64", MetadataValue.of(GgufValueType.UINT64, -1L))
                .put("i64", MetadataValue.of(GgufValueType.INT64, Long.MIN_VALUE))
                .put("f32", MetadataValue.float32(-0.0f))
                .put("f32.nan", MetadataValue.float32(Float.intBitsToFloat(0x7fc0_0001)))
                .put("f64", MetadataValue.of(GgufValueType.FLOAT64, 1e-300))
                .put("bool.true", MetadataValue.bool(true))
                .put("bool.false", MetadataValue.bool(false))
                .put("str", MetadataValue.string("héllo ✓ 🦙\n\"quoted\""))
                .put("str.empty", MetadataValue.string(""))
                .put("str.long", MetadataValue.string("é✓🦙{% if %}\n".repeat(20_000)))
                .put("a.u8", MetadataValue.array(GgufValueType.UINT8, new byte[] {0, 1, (byte) 255}))
                .put("a.i8", MetadataValue.array(GgufValueType.INT8, new byte[] {-128, 127}))
                .put("a.bool", MetadataValue.array(GgufValueType.BOOL, new byte[] {1, 0, 1}))
                .put("a.u16", MetadataValue.array(GgufValueType.UINT16, new short[] {(short) 65535, 2}))
                .put("a.i16", MetadataValue.array(GgufValueType.INT16, new short[] {-32768, 32767}))
                .put("a.u32", MetadataValue.array(GgufValueType.UINT32, new int[] {-1, 7}))
                .put("a.i32", MetadataValue.int32Array(new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}))
                .put("a.u64", MetadataValue.array(GgufValueType.UINT64, new long[] {-1L, 3}))
                .put("a.i64", MetadataValue.array(GgufValueType.INT64, new long[] {Long.MIN_VALUE, Long.MAX_VALUE}))
                .put("a.f32", MetadataValue.float32Array(new float[] {1.5f, Float.NaN, Float.NEGATIVE_INFINITY}))
                .put("a.f64", MetadataValue.array(GgufValueType.FLOAT64, new double[] {Math.PI, -0.0}))
                .put("a.str", MetadataValue.stringArray(new String[] {"", "<s>", "▁the", "日本"}))
                .put("a.empty", MetadataValue.stringArray(new String[0]))
                .put("a.nested", nested(GgufFile.MAX_ARRAY_NESTING - 1))
                .put("a.nested.empty", MetadataValue.array(GgufValueType.ARRAY, new MetadataValue[] {
                        MetadataValue.array(GgufValueType.FLOAT64, new double[0]),
                        MetadataValue.stringArray(new String[] {"x"})}));
    }

    @Test
    void roundTripsEveryMetadataTypeAndTensorBytes() throws IOException {
        GgufWriter writer = everyMetadataType();
        // Sizes chosen so that most tensors need padding after them.
        Object[][] tensors = {
            {"f32", GgmlType.F32, new long[] {3, 5}, randomBytes(1, 60)},
            {"q8", GgmlType.Q8_0, new long[] {64, 2}, randomBytes(2, 4 * 34)},
            {"f16", GgmlType.F16, new long[] {7}, randomBytes(3, 14)},
            {"i8.4d", GgmlType.I8, new long[] {2, 3, 4, 5}, randomBytes(4, 120)},
            {"q4k", GgmlType.Q4_K, new long[] {256, 1, 1}, randomBytes(5, 144)},
        };
        for (Object[] t : tensors) {
            writer.addTensor((String) t[0], (GgmlType) t[1], (long[]) t[2], (byte[]) t[3]);
        }
        Path file = dir.resolve("all.gguf");
        writer.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(3, gguf.version());
            assertEquals(List.copyOf(writer.metadata().entrySet()), List.copyOf(gguf.metadata().asMap().entrySet()),
                    "metadata must come back equal and in insertion order");
            assertEquals(0x7fc0_0001, Float.floatToRawIntBits((Float) gguf.metadata().get("f32.nan").value()),
                    "NaN payload must survive");
            assertEquals(tensors.length, gguf.tensors().size());
            long expectedOffset = 0;
            for (int i = 0; i < tensors.length; i++) {
                TensorInfo info = gguf.tensors().get(i);
                assertEquals(tensors[i][0], info.name());
                assertEquals(tensors[i][1], info.type());
                assertArrayEquals((long[]) tensors[i][2], info.dims());
                assertEquals(expectedOffset, info.offset(), "tensors are packed in order, each padded to 32");
                assertArrayEquals((byte[]) tensors[i][3], gguf.tensorData(info).toArray(ValueLayout.JAVA_BYTE));
                expectedOffset += GgufWriter.alignUp(info.byteSize(), 32);
            }
            assertEquals(0, gguf.dataOffset() % 32);
            assertEquals(gguf.dataOffset() + expectedOffset, gguf.fileSize(), "the last tensor is padded too");
        }
    }

    @Test
    void writesTheExactSpecLayout() throws IOException {
        Path file = dir.resolve("tiny.gguf");
        new GgufWriter()
                .put("a", MetadataValue.of(GgufValueType.UINT8, 7))
                .put("s", MetadataValue.array(GgufValueType.INT16, new short[] {-2}))
                .addTensor("t", GgmlType.F32, new long[] {1}, new byte[] {1, 2, 3, 4})
                .addTensor("u", GgmlType.F16, new long[] {2, 1}, new byte[] {5, 6, 7, 8})
                .write(file);
        byte[] expected = RawGguf.header(2, 2)
                .key("a", GgufValueType.UINT8).u8(7)
                .key("s", GgufValueType.ARRAY).u32(GgufValueType.INT16.id()).u64(1).u8(0xFE).u8(0xFF)
                .tensor("t", new long[] {1}, 0, 0)
                .tensor("u", new long[] {2, 1}, 1, 32)
                .pad(32).put(new byte[] {1, 2, 3, 4}).pad(32).put(new byte[] {5, 6, 7, 8}).pad(32)
                .toBytes();
        assertArrayEquals(expected, Files.readAllBytes(file));
    }

    @Test
    void honoursGeneralAlignment() throws IOException {
        Path file = dir.resolve("aligned.gguf");
        GgufWriter writer = new GgufWriter().put("general.alignment", MetadataValue.uint32(64))
                .addTensor("a", GgmlType.F32, new long[] {3}, randomBytes(1, 12))
                .addTensor("b", GgmlType.F32, new long[] {20}, randomBytes(2, 80))
                .addTensor("c", GgmlType.F32, new long[] {1}, randomBytes(3, 4));
        assertEquals(64, writer.alignment());
        writer.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(64, gguf.alignment());
            assertEquals(0, gguf.dataOffset() % 64);
            assertEquals(List.of(0L, 64L, 192L), gguf.tensors().stream().map(TensorInfo::offset).toList());
            assertEquals(gguf.dataOffset() + 256, gguf.fileSize());
            assertArrayEquals(randomBytes(2, 80), gguf.tensorData(gguf.tensor("b")).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void putReplacesInPlaceAndRemoveDeletes() {
        GgufWriter w = new GgufWriter().put("a", MetadataValue.int32(1)).put("b", MetadataValue.int32(2))
                .put("c", MetadataValue.int32(3)).put("a", MetadataValue.string("new")).remove("b");
        assertEquals(List.of("a", "c"), List.copyOf(w.metadata().keySet()));
        assertEquals(MetadataValue.string("new"), w.metadata().get("a"));
    }

    @Test
    void streamsLargeTensorsInChunksAndFromDataSources() throws IOException {
        // Bigger than the writer's 1 MiB chunk and not a multiple of it.
        byte[] big = randomBytes(9, (5 << 19) + 4);
        byte[] produced = randomBytes(10, 3 * 34 * 1000);
        Path file = dir.resolve("big.gguf");
        new GgufWriter()
                .addTensor("big", GgmlType.F32, new long[] {big.length / 4}, MemorySegment.ofArray(big))
                .addTensor("produced", GgmlType.Q8_0, new long[] {96, 1000}, out -> {
                    // Several writes of uneven sizes, as a quantizer emitting rows would do.
                    for (int off = 0; off < produced.length; off += 1000) {
                        out.write(ByteBuffer.wrap(produced, off, Math.min(1000, produced.length - off)));
                    }
                })
                .write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertArrayEquals(big, gguf.tensorData(gguf.tensor("big")).toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(produced, gguf.tensorData(gguf.tensor("produced")).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void dataSourceWritingTheWrongSizeFailsAndLeavesNoFile() {
        Path file = dir.resolve("short.gguf");
        GgufWriter writer = new GgufWriter().addTensor("t", GgmlType.F32, new long[] {4}, out -> out.write(ByteBuffer.allocate(15)));
        IOException e = assertThrows(IOException.class, () -> writer.write(file));
        assertEquals("tensor t: data source wrote 15 bytes, the tensor needs 16", e.getMessage());
        assertFalse(Files.exists(file));
        assertFalse(Files.exists(dir.resolve("short.gguf.partial")));
    }

    @Test
    void rejectsBadTensorsWithClearMessages() {
        GgufWriter w = new GgufWriter().addTensor("x", GgmlType.F32, new long[] {1}, new byte[4]);
        Map<String, Runnable> cases = Map.ofEntries(
                Map.entry("tensor y: F32 [3, 5] needs 60 bytes, data has 59",
                        () -> w.addTensor("y", GgmlType.F32, new long[] {3, 5}, new byte[59])),
                Map.entry("duplicate tensor name x", () -> w.addTensor("x", GgmlType.F32, new long[] {1}, new byte[4])),
                Map.entry("tensor y has 0 dimensions (1..4 allowed)", () -> w.addTensor("y", GgmlType.F32, new long[0], new byte[4])),
                Map.entry("tensor y has 5 dimensions (1..4 allowed)",
                        () -> w.addTensor("y", GgmlType.F32, new long[] {1, 1, 1, 1, 1}, new byte[4])),
                Map.entry("tensor y: dimension 1 = 0 must be positive", () -> w.addTensor("y", GgmlType.F32, new long[] {1, 0}, new byte[0])),
                Map.entry("tensor y: dimension 0 = -4 must be positive", () -> w.addTensor("y", GgmlType.F32, new long[] {-4}, new byte[0])),
                Map.entry("tensor y: element count of [1099511627776, 1099511627776] overflows a long",
                        () -> w.addTensor("y", GgmlType.F32, new long[] {1L << 40, 1L << 40}, new byte[0])),
                Map.entry("tensor y: byte size of [4611686018427387904] overflows a long",
                        () -> w.addTensor("y", GgmlType.F32, new long[] {1L << 62}, new byte[0])),
                Map.entry("tensor y of type Q8_0: row length 33 is not a multiple of the block size 32",
                        () -> w.addTensor("y", GgmlType.Q8_0, new long[] {33}, new byte[0])),
                Map.entry("tensor name must not be empty", () -> w.addTensor("", GgmlType.F32, new long[] {1}, new byte[4])),
                Map.entry("tensor name " + "n".repeat(64) + " is 64 bytes long, at most 63 allowed",
                        () -> w.addTensor("n".repeat(64), GgmlType.F32, new long[] {1}, new byte[4])));
        for (Map.Entry<String, Runnable> c : cases.entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c.getValue()::run, c.getKey());
            assertEquals(c.getKey(), e.getMessage());
        }
        assertEquals(1, w.tensorCount(), "rejected tensors must not be added");
    }

    @Test
    void rejectsMetadataThatCannotBeWrittenAsDeclared() {
        GgufWriter w = new GgufWriter();
        Map<String, MetadataValue> cases = Map.ofEntries(
                Map.entry("metadata k: 256 does not fit UINT8", MetadataValue.of(GgufValueType.UINT8, 256)),
                Map.entry("metadata k: -129 does not fit INT8", MetadataValue.of(GgufValueType.INT8, -129)),
                Map.entry("metadata k: 65536 does not fit UINT16", MetadataValue.of(GgufValueType.UINT16, 65536)),
                Map.entry("metadata k: 4294967296 does not fit UINT32", MetadataValue.uint32(1L << 32)),
                Map.entry("metadata k of type INT32 must hold a Integer, not a Long", MetadataValue.of(GgufValueType.INT32, 5L)),
                Map.entry("metadata k of type STRING must hold a String, not a Integer", MetadataValue.of(GgufValueType.STRING, 5)),
                Map.entry("metadata k: array of INT32 must be a int[], not a long[]",
                        MetadataValue.array(GgufValueType.INT32, new long[] {1})),
                Map.entry("metadata k[1]: boolean byte 2 is neither 0 nor 1", MetadataValue.array(GgufValueType.BOOL, new byte[] {0, 2})),
                Map.entry("metadata k[0] is null", MetadataValue.stringArray(new String[] {null})),
                Map.entry("metadata k[0]: an array of arrays must hold arrays, not INT32",
                        MetadataValue.array(GgufValueType.ARRAY, new MetadataValue[] {MetadataValue.int32(1)})),
                Map.entry("metadata k[0][0][0][0][0][0][0][0]: arrays nested deeper than 8 (readers reject them)",
                        nested(GgufFile.MAX_ARRAY_NESTING)));
        for (Map.Entry<String, MetadataValue> c : cases.entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.put("k", c.getValue()), c.getKey());
            assertEquals(c.getKey(), e.getMessage());
        }
        assertEquals("metadata key must not be empty",
                assertThrows(IllegalArgumentException.class, () -> w.put("", MetadataValue.int32(1))).getMessage());
        assertEquals("metadata key of 65536 bytes is too long (the spec allows 65535)", assertThrows(IllegalArgumentException.class,
                () -> w.put("k".repeat(65536), MetadataValue.int32(1))).getMessage());
        assertTrue(w.metadata().isEmpty(), "rejected values must not be stored");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 3, 48, 1 << 21})
    void rejectsBadAlignment(long alignment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GgufWriter().put("general.alignment", MetadataValue.uint32(alignment)));
        assertEquals("general.alignment = " + alignment + " must be a power of two up to 2^20", e.getMessage());
        assertEquals("general.alignment must be a UINT32, not INT32", assertThrows(IllegalArgumentException.class,
                () -> new GgufWriter().put("general.alignment", MetadataValue.int32(32))).getMessage());
    }

    /**
     * Copying every key and tensor of a real model must reproduce it byte for byte: the files come
     * from llama.cpp's and gguf-py's writers, which pack tensors in header order, pad each one
     * (the last included) to the alignment with zeros, and write v3 with 64-bit counts as we do.
     */
    @ParameterizedTest
    @ValueSource(strings = {"stories260K.gguf", "micro-llama-q8_0.gguf"})
    void rewritingARealModelIsByteIdentical(String model) throws IOException {
        Path source = SharedData.model(model);
        Path copy = dir.resolve(model);
        try (GgufFile original = GgufFile.open(source)) {
            GgufWriter.copyOf(original).write(copy);
        }
        assertEquals(Files.size(source), Files.size(copy));
        assertEquals(-1L, Files.mismatch(source, copy), "first differing byte");
        try (GgufFile original = GgufFile.open(source); GgufFile rewritten = GgufFile.open(copy)) {
            assertEquals(original.metadata().asMap(), rewritten.metadata().asMap());
            assertEquals(original.tensors(), rewritten.tensors());
        }
    }

    @Test
    void copyOfKeepsOrderSoAnEditedCopyDiffersOnlyWhereEdited() throws IOException {
        Path source = SharedData.model("stories260K.gguf");
        Path copy = dir.resolve("renamed.gguf");
        try (GgufFile original = GgufFile.open(source)) {
            GgufWriter.copyOf(original).put("general.name", MetadataValue.string("renamed")).write(copy);
            try (GgufFile edited = GgufFile.open(copy)) {
                List<String> keys = new ArrayList<>(original.metadata().keys());
                if (!original.metadata().contains("general.name")) {
                    keys.add("general.name");
                }
                assertEquals(keys, List.copyOf(edited.metadata().keys()));
                assertEquals("renamed", edited.metadata().getString("general.name"));
                for (TensorInfo t : original.tensors()) {
                    assertEquals(-1L, original.tensorData(t).mismatch(edited.tensorData(edited.tensor(t.name()))), t.name());
                }
            }
        }
    }
}
