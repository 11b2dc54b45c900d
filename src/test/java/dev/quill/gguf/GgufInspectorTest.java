package dev.quill.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.tensor.GgmlType;
import dev.quill.testutil.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufInspectorTest {
    private static void assertLine(String text, String regex) {
        assertTrue(Pattern.compile("(?m)^" + regex + "$").matcher(text).find(), "no line matching " + regex + " in\n" + text);
    }

    @Test
    void describesStories260K() throws IOException {
        try (GgufFile file = GgufFile.open(SharedData.model("stories260K.gguf"))) {
            String text = GgufInspector.describe(file);
            assertLine(text, "  version: +3");
            assertLine(text, "  file size: +1185376 bytes \\(1\\.13 MiB\\)");
            assertLine(text, "  alignment: +32");
            assertLine(text, "  data offset: +14176");
            assertLine(text, "  tensors: +48");
            assertLine(text, "  metadata keys: +19");
            assertLine(text, "  general\\.architecture +string +\"llama\"");
            assertLine(text, "  llama\\.embedding_length +uint32 +64");
            assertLine(text, "  llama\\.attention\\.layer_norm_rms_epsilon +float32 +1\\.0E-5");
            // Unsigned values print as such, not as -1.
            assertLine(text, "  tokenizer\\.ggml\\.padding_token_id +uint32 +4294967295");
            assertLine(text, "  tokenizer\\.ggml\\.tokens +array\\[string\\] +\\[\"<unk>\", \"<s>\", \"</s>\", \"<0x00>\", .*, \\.\\.\\. 504 more\\] \\(string × 512\\)");
            assertLine(text, "  tokenizer\\.ggml\\.token_type +array\\[int32\\] +\\[2, 3, 3, 6, 6, 6, 6, 6, \\.\\.\\. 504 more\\] \\(int32 × 512\\)");
            assertLine(text, "  0 +token_embd\\.weight +F32 +\\[64, 512\\] +131072 +14176");
            assertLine(text, "  9 +blk\\.0\\.ffn_down\\.weight +F32 +\\[172, 64\\] +44032 +370016");
            assertLine(text, "  47 +blk\\.4\\.ffn_norm\\.weight +F32 +\\[64\\] +256 +1185120");
            assertLine(text, "  parameters: +292800 \\(292\\.80K\\)");
            assertLine(text, "  tensor bytes: +1171200 \\(1\\.12 MiB\\)");
            assertLine(text, "  bits per weight: +32\\.00");
            assertLine(text, "    F32 +48 +292800 +1171200 +100\\.0% +32\\.00");
            // Every tensor of the file has its row, with its absolute offset.
            for (int i = 0; i < file.tensors().size(); i++) {
                TensorInfo t = file.tensors().get(i);
                assertLine(text, "  " + i + " +" + Pattern.quote(t.name()) + " +" + t.type() + " +" + Pattern.quote(t.shape()) + " +"
                        + t.byteSize() + " +" + (file.dataOffset() + t.offset()));
            }
        }
    }

    @Test
    void summarisesMixedQuantisation() throws IOException {
        try (GgufFile file = GgufFile.open(SharedData.model("micro-llama-q4_k_m.gguf"))) {
            String text = GgufInspector.describe(file);
            long q4k = file.tensors().stream().filter(t -> t.type() == GgmlType.Q4_K).count();
            long q6kBytes = file.tensors().stream().filter(t -> t.type() == GgmlType.Q6_K).mapToLong(TensorInfo::byteSize).sum();
            assertLine(text, "    Q4_K +" + q4k + " +\\d+ +\\d+ +[\\d.]+% +4\\.50");
            assertLine(text, "    Q6_K +\\d+ +\\d+ +" + q6kBytes + " +[\\d.]+% +6\\.56");
            assertLine(text, "  0 +output\\.weight +Q6_K +\\[256, 32000\\] +6720000 +725120");
            long params = file.tensors().stream().mapToLong(TensorInfo::elementCount).sum();
            long bytes = file.tensors().stream().mapToLong(TensorInfo::byteSize).sum();
            assertLine(text, "  bits per weight: +" + String.format(java.util.Locale.ROOT, "%.2f", bytes * 8.0 / params));
            assertLine(text, "  tokenizer\\.ggml\\.add_bos_token +bool +true");
        }
    }

    @Test
    void truncatesChatTemplatesWithTheirLength() throws IOException {
        try (GgufFile file = GgufFile.open(SharedData.model("micro-phi3-q4_k_m.gguf"))) {
            String template = file.metadata().getString("tokenizer.chat_template");
            assertTrue(template.length() > 200);
            String text = GgufInspector.describe(file);
            String line = text.lines().filter(l -> l.contains("tokenizer.chat_template")).findFirst().orElseThrow();
            assertTrue(line.endsWith("…\" (" + template.length() + " chars)"), line);
            assertTrue(line.contains("\"{{ bos_token }}{% for message in messages %}"), line);
            assertTrue(line.length() < 320, "long values are cut: " + line.length());
        }
    }

    @Test
    void rendersEveryTypeReadably(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("types.gguf");
        new GgufWriter()
                .put("u64", MetadataValue.of(GgufValueType.UINT64, -1L))
                .put("a.u8", MetadataValue.array(GgufValueType.UINT8, new byte[] {(byte) 255, 1}))
                .put("a.u16", MetadataValue.array(GgufValueType.UINT16, new short[] {(short) 65535}))
                .put("a.u32", MetadataValue.array(GgufValueType.UINT32, new int[] {-1}))
                .put("a.u64", MetadataValue.array(GgufValueType.UINT64, new long[] {-1L, 5}))
                .put("a.bool", MetadataValue.array(GgufValueType.BOOL, new byte[] {1, 0}))
                .put("a.nested", MetadataValue.array(GgufValueType.ARRAY, new MetadataValue[] {MetadataValue.int32Array(new int[] {1, 2})}))
                .put("a.long", MetadataValue.int32Array(new int[100]))
                .put("evil\n\u001b[2J", MetadataValue.stringArray(new String[] {"tab\there\r\u0007"}))
                .addTensor("t\u001b", GgmlType.F32, new long[] {1}, new byte[4])
                .write(path);
        try (GgufFile file = GgufFile.open(path)) {
            String text = GgufInspector.describe(file);
            assertLine(text, "  u64 +uint64 +18446744073709551615");
            assertLine(text, "  a\\.u8 +array\\[uint8\\] +\\[255, 1\\] \\(uint8 × 2\\)");
            assertLine(text, "  a\\.u16 +array\\[uint16\\] +\\[65535\\] \\(uint16 × 1\\)");
            assertLine(text, "  a\\.u32 +array\\[uint32\\] +\\[4294967295\\] \\(uint32 × 1\\)");
            assertLine(text, "  a\\.u64 +array\\[uint64\\] +\\[18446744073709551615, 5\\] \\(uint64 × 2\\)");
            assertLine(text, "  a\\.bool +array\\[bool\\] +\\[true, false\\] \\(bool × 2\\)");
            assertLine(text, "  a\\.nested +array\\[array\\] +\\[\\[1, 2\\] \\(int32 × 2\\)\\] \\(array × 1\\)");
            assertLine(text, "  a\\.long +array\\[int32\\] +\\[0, 0, 0, 0, 0, 0, 0, 0, \\.\\.\\. 92 more\\] \\(int32 × 100\\)");
            // Text from the file cannot inject line breaks or terminal escapes.
            assertLine(text, Pattern.quote("  evil\\n\\u001b[2J") + " +array\\[string\\] +" + Pattern.quote("[\"tab\\there\\r\\u0007\"] (string × 1)"));
            assertLine(text, "  0 +" + Pattern.quote("t\\u001b") + " +F32 +\\[1\\] +4 +\\d+");
            assertTrue(text.chars().noneMatch(c -> c < 0x20 && c != '\n'), "no control characters but newlines");
        }
    }

    @Test
    void handlesAFileWithoutTensors(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("empty.gguf");
        new GgufWriter().put("general.architecture", MetadataValue.string("none")).write(path);
        try (GgufFile file = GgufFile.open(path)) {
            String text = GgufInspector.describe(file);
            assertLine(text, "  tensors: +0");
            assertLine(text, "  parameters: +0 \\(0\\)");
            assertLine(text, "  bits per weight: +-");
            assertEquals(List.of(), file.tensors());
        }
    }
}
