package dev.quill.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.gguf.GgufFile;
import dev.quill.gguf.GgufWriter;
import dev.quill.gguf.MetadataValue;
import dev.quill.gguf.TensorInfo;
import dev.quill.tensor.GgmlType;
import dev.quill.testutil.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading real and deliberately broken model files, context limits and RoPE scaling. */
class ModelLoadingTest {
    @TempDir
    Path tmp;

    private Path variant(String name, Consumer<GgufWriter> change) throws IOException {
        Path out = tmp.resolve(name + ".gguf");
        try (GgufFile source = GgufFile.open(SharedData.model("stories260K.gguf"))) {
            GgufWriter w = GgufWriter.copyOf(source);
            change.accept(w);
            w.write(out);
        }
        return out;
    }

    /** stories260K rebuilt tensor by tensor, with {@code replace} deciding each tensor's fate. */
    private Path rebuilt(String name, java.util.function.BiFunction<TensorInfo, GgufWriter, Boolean> replace) throws IOException {
        Path out = tmp.resolve(name + ".gguf");
        try (GgufFile source = GgufFile.open(SharedData.model("stories260K.gguf"))) {
            GgufWriter w = new GgufWriter().putAll(source.metadata());
            for (TensorInfo t : source.tensors()) {
                if (!replace.apply(t, w)) {
                    w.addTensor(t.name(), t.type(), t.dims(), source.tensorData(t));
                }
            }
            w.write(out);
        }
        return out;
    }

    @Test
    void realModelsLoadWithTheirArchitecture() throws IOException {
        try (Model m = Model.load(SharedData.model("micro-phi3-q4_k_m.gguf"), ModelOptions.defaults())) {
            assertEquals(Architecture.PHI3, m.config().architecture());
            assertTrue(m.weights().layers()[0].fusedQkv());
            assertTrue(m.weights().layers()[0].fusedGateUp());
            assertEquals(32064, m.config().vocabSize());
        }
        try (Model m = Model.load(SharedData.model("micro-qwen2-q8_0.gguf"), ModelOptions.defaults())) {
            assertEquals(Architecture.QWEN2, m.config().architecture());
            assertTrue(m.weights().tiedOutput(), "qwen2 micro model ties its output to the embedding");
            assertEquals(2, m.config().headCountKv());
        }
    }

    @Test
    void unsupportedArchitectureIsRefusedWithTheSupportedList() throws IOException {
        Path file = variant("mamba", w -> w.put("general.architecture", MetadataValue.string("mamba")));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Model.load(file, ModelOptions.defaults()));
        assertEquals("architecture mamba is not supported; supported: llama, qwen2, phi3", e.getMessage());
    }

    @Test
    void unsupportedWeightTypeIsRefusedByName() throws IOException {
        Path file = rebuilt("iq4nl", (t, w) -> {
            if (!t.name().equals("blk.0.ffn_up.weight")) {
                return false;
            }
            // 172 rows of 64 values: IQ4_NL needs 2 blocks of 18 bytes per row.
            w.addTensor(t.name(), GgmlType.IQ4_NL, t.dims(), new byte[172 * 36]);
            return true;
        });
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Model.load(file, ModelOptions.defaults()));
        assertTrue(e.getMessage().contains("blk.0.ffn_up.weight") && e.getMessage().contains("IQ4_NL"), e.getMessage());
    }

    @Test
    void missingTensorAndWrongShapeAreNamed() throws IOException {
        Path missing = rebuilt("missing", (t, w) -> t.name().equals("blk.3.attn_k.weight"));
        ModelLoadException e1 = assertThrows(ModelLoadException.class, () -> Model.load(missing, ModelOptions.defaults()));
        assertTrue(e1.getMessage().contains("tensor blk.3.attn_k.weight is missing"), e1.getMessage());

        Path wrongShape = rebuilt("shape", (t, w) -> {
            if (!t.name().equals("blk.1.attn_q.weight")) {
                return false;
            }
            w.addTensor(t.name(), GgmlType.F32, new long[] {64, 32}, new byte[64 * 32 * 4]);
            return true;
        });
        ModelLoadException e2 = assertThrows(ModelLoadException.class, () -> Model.load(wrongShape, ModelOptions.defaults()));
        assertEquals("tensor blk.1.attn_q.weight has shape [64, 32], expected [64, 64]", e2.getMessage());
    }

    @Test
    void contextLengthIsConfigurableUpToTheModelsAndOverflowIsAClearError() throws IOException {
        Path file = SharedData.model("stories260K.gguf");
        ModelLoadException tooLong = assertThrows(ModelLoadException.class,
                () -> Model.load(file, ModelOptions.defaults().withContextLength(4096)));
        assertEquals("context length 4096 exceeds the model's trained context of 2048", tooLong.getMessage());
        try (Model m = Model.load(file, ModelOptions.defaults().withContextLength(8))) {
            KvCache cache = m.newCache();
            Transformer t = m.newTransformer();
            float[] logits = new float[m.config().vocabSize()];
            t.forward(cache, new int[] {1, 2, 3, 4, 5, 6}, 0, 6, logits, false);
            ContextLengthExceededException e = assertThrows(ContextLengthExceededException.class,
                    () -> t.forward(cache, new int[] {7, 8, 9}, 0, 3, logits, false));
            assertEquals(9, e.requested());
            assertEquals(8, e.contextLength());
            assertEquals(6, cache.length(), "a refused step leaves the cache as it was");
            IllegalArgumentException badToken = assertThrows(IllegalArgumentException.class,
                    () -> t.forward(cache, new int[] {512}, 0, 1, logits, false));
            assertTrue(badToken.getMessage().contains("token id 512 is outside the vocabulary (0..511)"));
        }
    }

    @Test
    void batchedPromptGivesTheSameLogitsAsTokenByToken() throws IOException {
        int[] prompt = {1, 403, 407, 261, 378, 432, 383, 286, 261, 376};
        try (Model batched = Model.load(SharedData.model("micro-llama-q4_k_m.gguf"), ModelOptions.defaults().withMaxBatch(64));
                Model single = Model.load(SharedData.model("micro-llama-q4_k_m.gguf"), ModelOptions.defaults().withMaxBatch(1))) {
            float[] a = new float[batched.config().vocabSize()];
            float[] b = new float[single.config().vocabSize()];
            batched.newTransformer().forward(batched.newCache(), prompt, 0, prompt.length, a, false);
            single.newTransformer().forward(single.newCache(), prompt, 0, prompt.length, b, false);
            assertArrayEquals(a, b, "a sequence's logits must not depend on how its prompt is batched");
        }
    }

    /** Llama 3.1's rope_freqs divide each pair's frequency; all 2.0 equals linear scaling by 2. */
    @Test
    void ropeFrequencyFactorsAndLinearScalingAgree() throws IOException {
        Path factors = variant("factors", w -> {
            byte[] twos = new byte[4 * 4];
            java.nio.ByteBuffer.wrap(twos).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(new float[] {2, 2, 2, 2});
            w.addTensor("rope_freqs.weight", GgmlType.F32, new long[] {4}, twos);
        });
        Path linear = variant("linear", w -> {
            w.put("llama.rope.scaling.type", MetadataValue.string("linear"));
            w.put("llama.rope.scaling.factor", MetadataValue.float32(2f));
        });
        int[] prompt = {1, 403, 407, 261, 378, 432, 383};
        float[] plain = lastLogits(SharedData.model("stories260K.gguf"), prompt);
        float[] viaFactors = lastLogits(factors, prompt);
        float[] viaLinear = lastLogits(linear, prompt);
        assertArrayEquals(viaLinear, viaFactors, 1e-4f);
        assertFalse(Arrays.equals(plain, viaFactors), "scaling must change the result");
    }

    @Test
    void unsupportedRopeScalingIsNamed() throws IOException {
        Path yarn = variant("yarn", w -> w.put("llama.rope.scaling.type", MetadataValue.string("yarn")));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Model.load(yarn, ModelOptions.defaults()));
        assertTrue(e.getMessage().startsWith("RoPE scaling type yarn is not supported"), e.getMessage());
    }

    private static float[] lastLogits(Path file, int[] prompt) throws IOException {
        try (Model m = Model.load(file, ModelOptions.defaults().withThreads(1))) {
            float[] logits = new float[m.config().vocabSize()];
            m.newTransformer().forward(m.newCache(), prompt, 0, prompt.length, logits, false);
            return logits;
        }
    }
}
