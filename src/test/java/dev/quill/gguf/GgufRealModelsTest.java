package dev.quill.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.quill.testutil.SharedData;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The reader on every real file in ../shared: what it reports must agree with the file's own structure. */
class GgufRealModelsTest {
    private static final Pattern BLOCK = Pattern.compile("^blk\\.(\\d+)\\.");

    @ParameterizedTest
    @CsvSource({
        "stories260K.gguf, llama", "llama-2-tiny-random.gguf, llama", "micro-llama-q8_0.gguf, llama",
        "micro-llama-q4_0.gguf, llama", "micro-llama-q4_k_m.gguf, llama", "micro-llama-q6_k.gguf, llama",
        "micro-phi3-q4_k_m.gguf, phi3", "micro-qwen2-q8_0.gguf, qwen2", "micro-qwen2-q4_k_m.gguf, qwen2"})
    void everyModelOpensConsistently(String model, String architecture) throws IOException {
        Path path = SharedData.model(model);
        try (GgufFile file = GgufFile.open(path)) {
            assertEquals(3, file.version());
            assertEquals(architecture, file.metadata().getString("general.architecture"));
            assertEquals(Files.size(path), file.fileSize());
            assertFalse(file.tensors().isEmpty());
            assertEquals(0, file.dataOffset() % file.alignment());

            List<TensorInfo> byOffset = file.tensors().stream().sorted(Comparator.comparingLong(TensorInfo::offset)).toList();
            long previousEnd = 0;
            for (TensorInfo t : byOffset) {
                assertEquals(0, t.offset() % file.alignment(), t.name());
                assertTrue(t.offset() >= previousEnd, t.name() + " overlaps the tensor before it");
                previousEnd = t.offset() + t.byteSize();
                assertTrue(file.dataOffset() + previousEnd <= file.fileSize(), t.name() + " ends past the file");
                assertEquals(t.type().byteSize(t.elementCount()), t.byteSize(), t.name());
                MemorySegment data = file.tensorData(t);
                assertEquals(t.byteSize(), data.byteSize());
                data.get(ValueLayout.JAVA_BYTE, data.byteSize() - 1);
                assertEquals(t, file.tensor(t.name()));
            }
            // Cross-checks between metadata and tensors that a misparsed header would break.
            TreeSet<Integer> blocks = new TreeSet<>();
            for (TensorInfo t : file.tensors()) {
                Matcher m = BLOCK.matcher(t.name());
                if (m.find()) {
                    blocks.add(Integer.parseInt(m.group(1)));
                }
            }
            int blockCount = file.metadata().getInt(architecture + ".block_count");
            assertEquals(blockCount, blocks.size());
            assertEquals(blockCount - 1, blocks.last());
            TensorInfo embeddings = file.tensor("token_embd.weight");
            assertEquals(file.metadata().getStringArray("tokenizer.ggml.tokens").length, embeddings.dims()[1]);
            assertEquals(file.metadata().getInt(architecture + ".embedding_length"), embeddings.dims()[0]);
        }
    }

    /** Vocabulary-only files: large string arrays (Llama 3: 128k tokens, 280k merges) and no tensors. */
    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-llama3.gguf", "ggml-vocab-gpt-2.gguf", "ggml-vocab-llama-spm.gguf"})
    void tokenizerOnlyFilesOpen(String vocab) throws IOException {
        try (GgufFile file = GgufFile.open(SharedData.require("conformance/tokenizer/" + vocab))) {
            assertTrue(file.tensors().isEmpty());
            assertTrue(file.metadata().getStringArray("tokenizer.ggml.tokens").length >= 32000);
        }
    }

    @Test
    void closingReleasesTheMapping() throws IOException {
        Path path = SharedData.model("stories260K.gguf");
        GgufFile file = GgufFile.open(path);
        TensorInfo embeddings = file.tensor("token_embd.weight");
        MemorySegment slice = file.tensorData(embeddings);
        float first = slice.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0);
        assertEquals(first, slice.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
        file.close();
        assertThrows(IllegalStateException.class, () -> slice.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> file.tensorData(embeddings));
        assertTrue(e.getMessage().endsWith("is closed"), e.getMessage());
        file.close(); // a second close is harmless
        assertEquals(0, mappingsOf(path), "the file must be unmapped on close");
    }

    @Test
    void openingAndClosingRepeatedlyLeaksNoHandles() throws IOException {
        Path procFds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(procFds), "needs /proc (Linux)");
        Path path = SharedData.model("stories260K.gguf");
        Path real = path.toRealPath();
        long before = countFds();
        for (int i = 0; i < 200; i++) {
            try (GgufFile file = GgufFile.open(path)) {
                if (i == 0) {
                    assertTrue(mappingsOf(path) > 0, "mapped while open");
                }
                file.tensorData(file.tensors().get(0)).get(ValueLayout.JAVA_BYTE, 0);
            }
        }
        long after = countFds();
        // A couple of descriptors may come and go in other JVM threads; a leak would add 200.
        assertTrue(after - before <= 2, "file descriptors grew from " + before + " to " + after);
        try (Stream<Path> fds = Files.list(procFds)) {
            assertFalse(fds.anyMatch(fd -> real.toString().equals(linkTarget(fd))), "a descriptor still points at " + real);
        }
        assertEquals(0, mappingsOf(path));
    }

    /** An open that fails after mapping the file (here at the last check, the data bounds) must still release it. */
    @Test
    void failedOpenReleasesEverything(@TempDir Path dir) throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc (Linux)");
        byte[] bytes = Files.readAllBytes(SharedData.model("stories260K.gguf"));
        Path bad = Files.write(dir.resolve("bad.gguf"), java.util.Arrays.copyOf(bytes, bytes.length - 100));
        long before = countFds();
        for (int i = 0; i < 50; i++) {
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(bad));
            assertTrue(e.getMessage().contains("tensor blk.4.ffn_norm.weight: data ends at byte 1185376, file has 1185276"),
                    e.getMessage());
        }
        assertTrue(countFds() - before <= 2, "descriptors leaked by failed opens");
        assertEquals(0, mappingsOf(bad));
    }

    private static long countFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static String linkTarget(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
            return ""; // closed while listing
        }
    }

    /** Lines of /proc/self/maps that map {@code path}, or 0 where there is no /proc. */
    private static long mappingsOf(Path path) throws IOException {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.exists(maps)) {
            return 0;
        }
        String real = path.toRealPath().toString();
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.filter(line -> line.endsWith(" " + real)).count();
        }
    }
}
