package dev.quill.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.gguf.GgufFile;
import dev.quill.model.Model;
import dev.quill.model.ModelOptions;
import dev.quill.tensor.GgmlType;
import dev.quill.testutil.SharedData;
import dev.quill.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** quill synth on small shapes: files load, have the usual type mix, and are reproducible. */
class SyntheticModelWriterTest {
    private static final ModelPreset TINY = new ModelPreset("tiny", "llama", 256, 8, 4, 2, 512, 600, true, 1024,
            500000f, 1e-5f, new ModelPreset.Llama3RopeScaling(32f, 1f, 4f, 8192));

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(SynthType.class)
    void everyTypeWritesALoadableModelWithLlamaCppsMix(SynthType type) throws IOException {
        Path file = tmp.resolve(type + ".gguf");
        new SyntheticModelWriter(TINY, type, 1, null).write(file);
        try (GgufFile f = GgufFile.open(file)) {
            GgmlType expectedOutput = switch (type) {
                case F16 -> GgmlType.F16;
                case Q8_0 -> GgmlType.Q8_0;
                default -> GgmlType.Q6_K;
            };
            assertEquals(expectedOutput, f.tensor("token_embd.weight").type(), "tied embedding doubles as output");
            assertEquals(GgmlType.F32, f.tensor("blk.0.attn_norm.weight").type());
            assertEquals(32, f.tensor("rope_freqs.weight").elementCount(), "llama 3 frequency factors, one per pair of a 64-wide head");
            if (type == SynthType.Q4_K_M) {
                // First and last eighth and every third layer between keep 6 bits for attn_v / ffn_down.
                assertEquals(GgmlType.Q6_K, f.tensor("blk.0.attn_v.weight").type());
                assertEquals(GgmlType.Q4_K, f.tensor("blk.1.attn_v.weight").type());
                assertEquals(GgmlType.Q6_K, f.tensor("blk.3.ffn_down.weight").type());
                assertEquals(GgmlType.Q4_K, f.tensor("blk.2.attn_q.weight").type());
                assertEquals(GgmlType.Q6_K, f.tensor("blk.7.ffn_down.weight").type());
            }
            assertEquals(type.fileType(), f.metadata().getInt("general.file_type"));
        }
        try (Model m = Model.load(file, ModelOptions.defaults().withThreads(1))) {
            assertEquals(600, m.config().vocabSize());
            float[] logits = new float[600];
            m.newTransformer().forward(m.newCache(), new int[] {1, 300, 301, 302}, 0, 4, logits, false);
            for (float v : logits) {
                assertTrue(Float.isFinite(v));
            }
            int[] ids = Tokenizers.fromGguf(m.file().metadata()).encode("Hello, world!", true, false);
            assertTrue(ids.length > 1 && ids[0] == 1, "the synthetic SentencePiece vocabulary encodes any text");
        }
    }

    @ParameterizedTest
    @EnumSource(SynthType.class)
    void rowsThatKQuantBlocksDoNotDivideFallBackAsLlamaCppDoes(SynthType type) throws IOException {
        // SmolLM2-135M's rows are 576 wide: 256-value k-quant blocks do not divide them. Scaled down: 96.
        ModelPreset smolLike = new ModelPreset("tiny-smol", "llama", 96, 2, 3, 1, 256, 300, true, 512, 1e5f, 1e-5f, null);
        Path file = tmp.resolve("smol-" + type + ".gguf");
        new SyntheticModelWriter(smolLike, type, 2, null).write(file);
        try (GgufFile f = GgufFile.open(file)) {
            GgmlType embedding = f.tensor("token_embd.weight").type();
            GgmlType query = f.tensor("blk.0.attn_q.weight").type();
            GgmlType down = f.tensor("blk.1.ffn_down.weight").type();
            switch (type) {
                case Q4_K_M -> {
                    assertEquals(GgmlType.Q8_0, embedding, "Q6_K falls back to Q8_0");
                    assertEquals(GgmlType.Q5_0, query, "Q4_K falls back to Q5_0");
                    assertEquals(GgmlType.Q6_K, down, "ffn_down rows are 256 wide: no fallback");
                }
                case Q4_0 -> {
                    assertEquals(GgmlType.Q8_0, embedding);
                    assertEquals(GgmlType.Q4_0, query);
                }
                case Q6_K -> {
                    assertEquals(GgmlType.Q8_0, embedding);
                    assertEquals(GgmlType.Q6_K, down);
                }
                default -> assertEquals(type.name(), query.name());
            }
        }
        try (Model m = Model.load(file, ModelOptions.defaults().withThreads(1))) {
            float[] logits = new float[300];
            m.newTransformer().forward(m.newCache(), new int[] {1, 200, 201}, 0, 3, logits, false);
            for (float v : logits) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    @Test
    void aRowThatNoFallbackBlockDividesIsWrittenAsF16() {
        assertEquals(GgmlType.Q6_K, SynthType.fittingRowLength(GgmlType.Q6_K, 2048));
        assertEquals(GgmlType.Q8_0, SynthType.fittingRowLength(GgmlType.Q6_K, 576));
        assertEquals(GgmlType.Q5_0, SynthType.fittingRowLength(GgmlType.Q4_K, 896));
        assertEquals(GgmlType.F16, SynthType.fittingRowLength(GgmlType.Q4_K, 80));
        assertEquals(GgmlType.F16, SynthType.fittingRowLength(GgmlType.Q4_0, 80));
    }

    @Test
    void theSameSeedWritesTheSameBytesAndAnotherSeedDoesNot() throws IOException {
        Path a = tmp.resolve("a.gguf");
        Path b = tmp.resolve("b.gguf");
        Path c = tmp.resolve("c.gguf");
        new SyntheticModelWriter(TINY, SynthType.Q4_0, 5, null).write(a);
        new SyntheticModelWriter(TINY, SynthType.Q4_0, 5, null).write(b);
        new SyntheticModelWriter(TINY, SynthType.Q4_0, 6, null).write(c);
        assertEquals(-1, Files.mismatch(a, b));
        assertNotEquals(-1, Files.mismatch(a, c));
    }

    @Test
    void vocabularyFromAnotherFileSetsTheVocabularySize() throws IOException {
        Path file = tmp.resolve("gpt2.gguf");
        ModelPreset qwenLike = new ModelPreset("tiny-qwen", "qwen2", 64, 1, 2, 1, 128, 10, true, 512, 1e6f, 1e-6f, null);
        SyntheticModelWriter.create(qwenLike, SynthType.Q8_0, 3, SharedData.require("conformance/tokenizer/ggml-vocab-gpt-2.gguf"))
                .write(file);
        try (Model m = Model.load(file, ModelOptions.defaults().withThreads(1))) {
            assertEquals(50257, m.config().vocabSize());
            assertTrue(m.weights().layers()[0].bq() != null, "qwen2 layers carry Q/K/V biases");
            assertEquals("Hello world", Tokenizers.fromGguf(m.file().metadata()).decode(
                    Tokenizers.fromGguf(m.file().metadata()).encode("Hello world", false, false)));
        }
    }

    @Test
    void presetsHaveThePublishedShapes() {
        ModelPreset llama = ModelPreset.byName("llama-3.2-1b");
        assertEquals(1_235_814_400L, llama.parameterCount(), "Llama 3.2 1B has 1.24 B parameters");
        assertEquals(64, llama.headDim());
        float[] factors = llama.llama3RopeFactors();
        assertEquals(1f, factors[0], "high frequencies are not scaled");
        assertEquals(32f, factors[31], "low frequencies are divided by the factor");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelPreset.byName("gpt-5"));
        assertTrue(e.getMessage().startsWith("unknown preset 'gpt-5'; presets: smollm2-135m, qwen2.5-0.5b, llama-3.2-1b"));
    }
}
