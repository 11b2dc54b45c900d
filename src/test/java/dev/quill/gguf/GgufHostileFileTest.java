package dev.quill.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.quill.tensor.GgmlType;
import dev.quill.testutil.SharedData;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Broken and hostile files must be rejected with a {@link GgufFormatException} naming the problem,
 * never with an unchecked JDK exception, an OutOfMemoryError, a hang or a crash.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GgufHostileFileTest {
    private static final int F32 = GgmlType.F32.id();

    @TempDir
    Path dir;

    private int fileCounter;

    private Path write(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("case" + fileCounter++ + ".gguf"), bytes);
    }

    /** Opens {@code bytes} as a file, expecting a format error whose message contains every fragment. */
    private String rejected(byte[] bytes, String... fragments) throws IOException {
        Path file = write(bytes);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(file).close());
        String message = e.getMessage();
        assertTrue(message.startsWith(file.getFileName() + ": "), "message names the file: " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "expected \"" + fragment + "\" in: " + message);
        }
        return message;
    }

    private String rejected(RawGguf raw, String... fragments) throws IOException {
        return rejected(raw.toBytes(), fragments);
    }

    /** A well-formed file with one F32 tensor "t" of the given dims, type and offset, and enough data. */
    private static RawGguf oneTensor(long[] dims, int typeId, long offset) {
        return RawGguf.header(1, 0).tensor("t", dims, typeId, offset).pad(32).zeros(64);
    }

    @Test
    void badMagicVersionAndEndianness() throws IOException {
        rejected(new RawGguf().put("GGUX".getBytes(StandardCharsets.US_ASCII)).u32(3).u64(0).u64(0),
                "not a GGUF file: bad magic 0x58554747");
        rejected(new RawGguf().put("PK\u0003\u0004".getBytes(StandardCharsets.ISO_8859_1)).zeros(40), "bad magic 0x04034b50");
        rejected(new RawGguf().u32(GgufFile.MAGIC).u32(1).u64(0).u64(0), "unsupported GGUF version 1 (supported: 2, 3)");
        rejected(new RawGguf().u32(GgufFile.MAGIC).u32(4).u64(0).u64(0), "unsupported GGUF version 4 ");
        rejected(new RawGguf().u32(GgufFile.MAGIC).u32(-1).u64(0).u64(0), "unsupported GGUF version 4294967295");
        // A big-endian file keeps the magic bytes but stores the version (and everything else) swapped.
        rejected(new RawGguf().u32(GgufFile.MAGIC).u32(Integer.reverseBytes(3)).u64(0).u64(0),
                "big-endian GGUF files are not supported");
    }

    @Test
    void emptyTinyMissingAndDirectory() throws IOException {
        rejected(new byte[0], "not a GGUF file: only 0 bytes");
        rejected("GGU".getBytes(StandardCharsets.US_ASCII), "only 3 bytes");
        rejected(new RawGguf().u32(GgufFile.MAGIC).u32(3).u32(0).toBytes(), "truncated: tensor count at byte 8 needs 8 bytes, only 4 remain");
        assertThrows(NoSuchFileException.class, () -> GgufFile.open(dir.resolve("missing.gguf")));
        Path folder = Files.createDirectory(dir.resolve("folder.gguf"));
        assertTrue(assertThrows(GgufFormatException.class, () -> GgufFile.open(folder)).getMessage().contains("is a directory"));
    }

    @Test
    void absurdCounts() throws IOException {
        rejected(RawGguf.header(1L << 62, 0), "absurd tensor count 4611686018427387904 for a file of 24 bytes");
        rejected(RawGguf.header(-1, 0), "absurd tensor count 18446744073709551615");
        rejected(RawGguf.header(0, 1L << 62), "absurd metadata count 4611686018427387904");
        rejected(RawGguf.header(0, -1), "absurd metadata count 18446744073709551615");
        // Plausible-looking counts the remaining bytes cannot hold.
        rejected(RawGguf.header(3, 0).zeros(90), "absurd tensor count 3 for a file of 114 bytes");
    }

    @Test
    void stringLengthsPastTheEnd() throws IOException {
        rejected(RawGguf.header(0, 1).u64(1000).put("abc".getBytes(StandardCharsets.US_ASCII)).zeros(20),
                "metadata key #0 at byte 24 claims 1000 bytes, past the end of the file (23 bytes remain)");
        rejected(RawGguf.header(0, 1).u64(-1).zeros(8), "metadata key #0 at byte 24 claims 18446744073709551615 bytes; names are at most 65535");
        rejected(RawGguf.header(0, 1).u64(65536).zeros(70_000), "metadata key #0 at byte 24 claims 65536 bytes; names are at most 65535");
        rejected(RawGguf.header(0, 1).key("k", GgufValueType.STRING).u64(1L << 62), "metadata k at byte 37 claims 4611686018427387904 bytes");
        rejected(RawGguf.header(0, 1).key("k", GgufValueType.ARRAY).u32(GgufValueType.STRING.id()).u64(2).str("a").u64(5).u8('b'),
                "metadata k[1] at byte 58 claims 5 bytes");
        rejected(RawGguf.header(1, 0).u64(1L << 40).zeros(40), "tensor #0 name at byte 24 claims 1099511627776 bytes; names are at most 65535");
    }

    /** A corrupt length that makes megabytes of weights read as text must fail fast, not decode them. */
    @Test
    void longStringsMustBeUtf8ButShortOnesDecodeLeniently() throws IOException {
        byte[] garbage = new byte[1 << 20];
        new Random(3).nextBytes(garbage);
        rejected(RawGguf.header(0, 1).key("general.name", GgufValueType.STRING).u64(garbage.length).put(garbage),
                "metadata general.name at byte 48 (1048576 bytes) is not valid UTF-8 at its byte ", "its length is probably corrupt");
        byte[] almostValid = "é✓🦙".repeat(10_000).getBytes(StandardCharsets.UTF_8);
        almostValid[almostValid.length - 1] = (byte) 0xC3; // breaks the last 4-byte sequence, which starts at 89996
        rejected(RawGguf.header(0, 1).key("t", GgufValueType.STRING).u64(almostValid.length).put(almostValid),
                "metadata t at byte 37 (90000 bytes) is not valid UTF-8 at its byte 89996");
        // Vocabularies may hold byte fragments: short strings become U+FFFD where invalid, as before.
        byte[] fragment = {'a', (byte) 0xE2, (byte) 0x96};
        try (GgufFile file = GgufFile.open(write(RawGguf.header(0, 1).key("tokens", GgufValueType.ARRAY)
                .u32(GgufValueType.STRING.id()).u64(1).u64(fragment.length).put(fragment).toBytes()))) {
            assertEquals("a\uFFFD", file.metadata().getStringArray("tokens")[0]);
        }
    }

    @ParameterizedTest
    @CsvSource({"UINT8, 4611686018427387904", "INT32, 4611686018427387904", "STRING, 4611686018427387904",
        "ARRAY, 4611686018427387904", "FLOAT64, -1", "BOOL, 13"})
    void arrayCountsPastTheEnd(GgufValueType element, long count) throws IOException {
        rejected(RawGguf.header(0, 1).key("k", GgufValueType.ARRAY).u32(element.id()).u64(count).zeros(12),
                "metadata k: array of " + Long.toUnsignedString(count) + " " + element + " values does not fit in the 12 bytes left");
    }

    /** Arrays of arrays, {@code levels} deep, the innermost an empty INT32 array. */
    private static RawGguf nestedArrays(int levels) {
        RawGguf raw = RawGguf.header(0, 1).key("deep", GgufValueType.ARRAY);
        for (int i = 1; i < levels; i++) {
            raw.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        return raw.u32(GgufValueType.INT32.id()).u64(0);
    }

    @Test
    void arrayNestingIsLimited() throws IOException {
        try (GgufFile ok = GgufFile.open(write(nestedArrays(GgufFile.MAX_ARRAY_NESTING).toBytes()))) {
            MetadataValue v = ok.metadata().get("deep");
            for (int i = 1; i < GgufFile.MAX_ARRAY_NESTING; i++) {
                v = ((MetadataValue[]) v.value())[0];
            }
            assertEquals(MetadataValue.int32Array(new int[0]), v);
        }
        rejected(nestedArrays(GgufFile.MAX_ARRAY_NESTING + 1), "metadata deep[0][0][0][0][0][0][0][0]: arrays nested deeper than 8");
        // Deep enough to overflow the stack if the reader recursed without a limit.
        rejected(nestedArrays(100_000), "arrays nested deeper than 8");
    }

    @Test
    void unknownValueAndElementTypes() throws IOException {
        rejected(RawGguf.header(0, 1).str("k").u32(13).zeros(8), "metadata k has unknown value type 13");
        rejected(RawGguf.header(0, 1).str("k").u32(-1).zeros(8), "metadata k has unknown value type -1");
        rejected(RawGguf.header(0, 1).key("k", GgufValueType.ARRAY).u32(99).u64(0), "metadata k: array has unknown element type 99");
    }

    @Test
    void booleansMustBeZeroOrOne() throws IOException {
        rejected(RawGguf.header(0, 1).key("flag", GgufValueType.BOOL).u8(7), "metadata flag: boolean byte 7 at 40 is neither 0 nor 1");
        rejected(RawGguf.header(0, 1).key("flags", GgufValueType.ARRAY).u32(GgufValueType.BOOL.id()).u64(3).u8(1).u8(0).u8(255),
                "boolean byte 255");
    }

    @Test
    void duplicateKeysAndTensorNames() throws IOException {
        rejected(RawGguf.header(0, 2).kvU32("k", 1).kvU32("k", 2), "duplicate metadata key k");
        rejected(RawGguf.header(2, 0).tensor("t", new long[] {8}, F32, 0).tensor("t", new long[] {8}, F32, 32).pad(32).zeros(64),
                "duplicate tensor name t");
    }

    @Test
    void badAlignment() throws IOException {
        rejected(RawGguf.header(0, 1).kvU32("general.alignment", 0), "general.alignment = 0 must be a power of two up to 1048576");
        rejected(RawGguf.header(0, 1).kvU32("general.alignment", 3), "general.alignment = 3 must be a power of two");
        rejected(RawGguf.header(0, 1).kvU32("general.alignment", 1 << 21), "general.alignment = 2097152 must be a power of two");
        rejected(RawGguf.header(0, 1).kvU32("general.alignment", -1), "general.alignment = 4294967295 must be a power of two");
        rejected(RawGguf.header(0, 1).kvString("general.alignment", "32"), "general.alignment has type STRING, expected an integer");
    }

    @Test
    void tensorTypesAndDimensions() throws IOException {
        rejected(oneTensor(new long[] {32}, 4, 0), "tensor t has unknown weight type id 4");
        rejected(oneTensor(new long[] {32}, 99, 0), "tensor t has unknown weight type id 99");
        rejected(oneTensor(new long[] {32}, -1, 0), "tensor t has unknown weight type id 4294967295");
        rejected(oneTensor(new long[] {0}, F32, 0), "tensor t has absurd dimension 0 = 0");
        rejected(oneTensor(new long[] {4, -5}, F32, 0), "tensor t has absurd dimension 1 = 18446744073709551611");
        rejected(oneTensor(new long[] {1L << 40, 1L << 40}, F32, 0), "tensor t has absurd dimension 0 = 1099511627776");
        long max = Integer.MAX_VALUE;
        rejected(oneTensor(new long[] {max, max, max, max}, F32, 0), "tensor t has absurd dimensions: element count overflows");
        rejected(oneTensor(new long[] {1 << 20, 1 << 20}, F32, 0), "tensor t needs 4398046511104 bytes of data, file has ");
        rejected(oneTensor(new long[] {33}, GgmlType.Q8_0.id(), 0), "tensor t of type Q8_0 has row length 33, not a multiple of the block size 32");
        rejected(oneTensor(new long[] {1, 1, 1, 1, 1}, F32, 0), "tensor t has 5 dimensions (1..4 allowed)");
        rejected(oneTensor(new long[0], F32, 0), "tensor t has 0 dimensions (1..4 allowed)");
        rejected(RawGguf.header(1, 0).str("t").u32(-1).zeros(64), "tensor t has 4294967295 dimensions");
    }

    @Test
    void tensorOffsetsAndDataBounds() throws IOException {
        rejected(oneTensor(new long[] {8}, F32, 4), "tensor t: data offset 4 is not a multiple of the alignment 32");
        rejected(RawGguf.header(1, 1).kvU32("general.alignment", 64).tensor("t", new long[] {8}, F32, 32).pad(64).zeros(128),
                "tensor t: data offset 32 is not a multiple of the alignment 64");
        rejected(oneTensor(new long[] {8}, F32, 1L << 40), "tensor t: data offset 1099511627776 is past the end of the file");
        rejected(oneTensor(new long[] {8}, F32, -32), "data offset 18446744073709551584 is past the end");

        RawGguf shortData = RawGguf.header(1, 0).tensor("t", new long[] {16}, F32, 0).pad(32);
        int dataOffset = shortData.size();
        String message = rejected(shortData.zeros(10));
        assertEquals("tensor t: data ends at byte " + (dataOffset + 64) + ", file has " + (dataOffset + 10),
                message.substring(message.indexOf(": ") + 2));
        RawGguf secondOutside = RawGguf.header(2, 0).tensor("a", new long[] {8}, F32, 0).tensor("b", new long[] {8}, F32, 32).pad(32);
        int secondDataOffset = secondOutside.size();
        rejected(secondOutside.zeros(40), "tensor b: data ends at byte " + (secondDataOffset + 64) + ", file has " + (secondDataOffset + 40));

        RawGguf noData = RawGguf.header(1, 0).tensor("t", new long[] {8}, F32, 0);
        int headerEnd = noData.size();
        rejected(noData, "tensor data would start at byte " + GgufWriter.alignUp(headerEnd, 32) + ", file has " + headerEnd);
    }

    /** Sparse files of over 2 GiB: lengths that fit the file but not a Java array must still be a format error. */
    @Test
    void lengthsBeyondJavaArraysInHugeSparseFiles() throws IOException {
        long huge = (1L << 31) + 16;
        byte[] stringHeader = RawGguf.header(0, 1).key("k", GgufValueType.STRING).u64(huge).toBytes();
        byte[] arrayHeader = RawGguf.header(0, 1).key("k", GgufValueType.ARRAY).u32(GgufValueType.UINT8.id()).u64(huge).toBytes();
        for (byte[] header : List.of(stringHeader, arrayHeader)) {
            Path file = dir.resolve("sparse" + fileCounter++ + ".gguf");
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.write(header);
                raf.setLength(header.length + huge + 100);
            }
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(file).close());
            assertTrue(e.getMessage().contains("past the limit of"), e.getMessage());
            Files.delete(file);
        }
    }

    /** Decoding amplifies sizes (an empty string: 8 bytes in the file, ~40 on the heap); a budget bounds it. */
    @Test
    void headerMemoryIsBounded() throws IOException {
        int count = 200_000;
        RawGguf raw = RawGguf.header(0, 1).key("tokens", GgufValueType.ARRAY).u32(GgufValueType.STRING.id()).u64(count);
        raw.zeros(8 * count);
        byte[] bytes = raw.toBytes();
        GgufFile.GgufHeaderReader limited = new GgufFile.GgufHeaderReader(MemorySegment.ofArray(bytes), "x.gguf", 1 << 20);
        GgufFormatException e = assertThrows(GgufFormatException.class, limited::read);
        assertTrue(e.getMessage().startsWith("x.gguf: metadata tokens[") && e.getMessage().contains("past the limit of 1048576 bytes"),
                e.getMessage());
        // The default budget is far above what real vocabularies need.
        try (GgufFile file = GgufFile.open(write(bytes))) {
            assertEquals(count, file.metadata().getStringArray("tokens").length);
        }
    }

    /** Every prefix of a real model's header is a truncated file and must be reported as such. */
    @Test
    void truncatedRealHeaderAtEveryOffset() throws IOException {
        Path model = SharedData.model("stories260K.gguf");
        byte[] bytes = Files.readAllBytes(model);
        long dataOffset;
        try (GgufFile file = GgufFile.open(model)) {
            dataOffset = file.dataOffset();
        }
        Path file = Files.write(dir.resolve("truncated.gguf"), java.util.Arrays.copyOf(bytes, (int) dataOffset));
        List<Long> cuts = new ArrayList<>();
        for (long cut = 0; cut < dataOffset; cut += cut < 64 ? 1 : 11) {
            cuts.add(cut);
        }
        for (long cut = dataOffset - 40; cut < dataOffset; cut++) {
            cuts.add(cut); // the tensor infos' last fields and the padding
        }
        // Longest first, so each cut only shortens the same file.
        cuts.sort(java.util.Comparator.reverseOrder());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (long cut : cuts) {
                channel.truncate(cut);
                GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(file).close(), () -> "cut at " + cut);
                assertTrue(e.getMessage().startsWith("truncated.gguf: ") && e.getMessage().length() > 30, e.getMessage());
            }
        }
        assertTrue(cuts.size() > 700, "header of " + dataOffset + " bytes gave only " + cuts.size() + " cuts");
    }

    /**
     * Overwrites bytes of real models at seeded random offsets (biased to the header, where every
     * byte is structure or text) and opens each result: it must open, or fail with a
     * GgufFormatException. Corrupt weights are opaque bytes, so data-region damage must still open.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void corruptedRealModelsOpenOrFailCleanly() throws IOException {
        record Plan(String model, int headerAttempts, int dataAttempts) {
        }
        List<Plan> plans = List.of(new Plan("stories260K.gguf", 1800, 30), new Plan("llama-2-tiny-random.gguf", 150, 10),
                new Plan("micro-qwen2-q8_0.gguf", 50, 10));
        List<String> failures = new ArrayList<>();
        int rejected = 0;
        int opened = 0;
        for (Plan plan : plans) {
            Path source = SharedData.model(plan.model());
            Path copy = Files.copy(source, dir.resolve("corrupt-" + plan.model()));
            long dataOffset;
            long tensorInfoBytes = 0;
            GgufMetadata originalMetadata;
            try (GgufFile original = GgufFile.open(source)) {
                dataOffset = original.dataOffset();
                originalMetadata = original.metadata();
                for (TensorInfo t : original.tensors()) {
                    tensorInfoBytes += 8 + t.name().getBytes(StandardCharsets.UTF_8).length + 4 + 8L * t.dims().length + 4 + 8;
                }
            }
            long fileSize = Files.size(copy);
            // The tensor infos are dense structure, so they get a share of their own.
            long infoStart = Math.max(0, dataOffset - tensorInfoBytes - 32);
            Random random = new Random(plan.model().hashCode());
            try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                for (int i = 0; i < plan.headerAttempts() + plan.dataAttempts(); i++) {
                    boolean inData = i >= plan.headerAttempts();
                    long offset;
                    if (inData) {
                        offset = dataOffset + (long) (random.nextDouble() * (fileSize - dataOffset - 8));
                    } else {
                        offset = switch (i % 3) {
                            case 0 -> random.nextInt(Math.min(4096, (int) dataOffset));
                            case 1 -> infoStart + (long) (random.nextDouble() * (dataOffset - infoStart));
                            default -> (long) (random.nextDouble() * dataOffset);
                        };
                    }
                    ByteBuffer original = ByteBuffer.allocate((int) Math.min(8, fileSize - offset));
                    channel.read(original, offset);
                    byte[] patch = corruption(random, original.get(0));
                    int length = Math.min(patch.length, original.capacity());
                    channel.write(ByteBuffer.wrap(patch, 0, length), offset);
                    String attempt = plan.model() + " offset " + offset + " patch " + java.util.HexFormat.of().formatHex(patch, 0, length);
                    try (GgufFile file = GgufFile.open(copy)) {
                        opened++;
                        checkInvariants(file);
                        if (inData) {
                            assertEquals(originalMetadata.asMap(), file.metadata().asMap(), attempt);
                        }
                    } catch (GgufFormatException e) {
                        rejected++;
                        if (inData) {
                            failures.add(attempt + ": data-region damage rejected: " + e.getMessage());
                        } else if (e.getMessage() == null || !e.getMessage().startsWith(copy.getFileName() + ": ")) {
                            failures.add(attempt + ": message does not name the file: " + e.getMessage());
                        }
                    } catch (Throwable t) {
                        failures.add(attempt + ": " + t);
                    }
                    channel.write(original.flip(), offset);
                }
            }
            assertEquals(-1L, Files.mismatch(source, copy), "the copy is restored after each attempt");
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " corrupt files were not handled cleanly, e.g.\n" + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
        }
        // Guards against a fuzzer that never reaches the parser's checks (or never leaves them).
        assertTrue(rejected > 300, "only " + rejected + " corruptions were rejected");
        assertTrue(opened > 300, "only " + opened + " corruptions opened");
    }

    /** A bit flip, a byte value, or an 8-byte little-endian integer chosen to break counts, lengths and type ids. */
    private static byte[] corruption(Random random, byte original) {
        long[] integers = {1L << 62, -1L, 1L << 31, Integer.MAX_VALUE, 0, 13, 5, 1L << 40, random.nextLong()};
        return switch (random.nextInt(5)) {
            case 0 -> new byte[] {(byte) (original ^ (1 << random.nextInt(8)))};
            case 1 -> new byte[] {(byte) 0xFF};
            case 2 -> new byte[] {0};
            case 3 -> new byte[] {(byte) random.nextInt(256)};
            default -> ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(integers[random.nextInt(integers.length)]).array();
        };
    }

    /** What a successfully opened file promises: every tensor slice inside the file and readable, and a printable header. */
    private static void checkInvariants(GgufFile file) {
        for (TensorInfo t : file.tensors()) {
            long start = file.dataOffset() + t.offset();
            assertTrue(start >= file.dataOffset() && start + t.byteSize() <= file.fileSize(), t.name());
            MemorySegment data = file.tensorData(t);
            assertEquals(t.byteSize(), data.byteSize());
            data.get(java.lang.foreign.ValueLayout.JAVA_BYTE, t.byteSize() - 1);
        }
        assertFalse(GgufInspector.describe(file).isEmpty());
        assertNotNull(file.metadata().asMap());
    }
}
