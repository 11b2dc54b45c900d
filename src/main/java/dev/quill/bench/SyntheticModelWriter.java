package dev.quill.bench;

import dev.quill.gguf.GgufFile;
import dev.quill.gguf.GgufMetadata;
import dev.quill.gguf.GgufWriter;
import dev.quill.gguf.MetadataValue;
import dev.quill.tensor.GgmlType;
import dev.quill.tensor.Quantizer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a GGUF file with a preset's exact shapes, seeded random weights and a real or synthetic
 * tokenizer. Tensors are generated and quantized row by row while the file is written, so even
 * an 8B model needs only a few megabytes of heap.
 */
public final class SyntheticModelWriter {
    /** Weights are uniform with this standard deviation, like a freshly initialised transformer. */
    private static final float WEIGHT_STD = 0.02f;
    private static final int CHUNK_BYTES = 4 << 20;

    private final ModelPreset preset;
    private final SynthType type;
    private final long seed;
    private final GgufMetadata vocabSource;

    /** @param vocabSource metadata to copy the tokenizer from, or null to synthesize one */
    public SyntheticModelWriter(ModelPreset preset, SynthType type, long seed, GgufMetadata vocabSource) {
        this.preset = vocabSource == null ? preset
                : preset.withVocabSize(vocabSource.getStringArray("tokenizer.ggml.tokens").length);
        this.type = type;
        this.seed = seed;
        this.vocabSource = vocabSource;
    }

    public ModelPreset preset() {
        return preset;
    }

    public static SyntheticModelWriter create(ModelPreset preset, SynthType type, long seed, Path vocabFrom) throws IOException {
        if (vocabFrom == null) {
            return new SyntheticModelWriter(preset, type, seed, null);
        }
        try (GgufFile f = GgufFile.open(vocabFrom)) {
            if (!f.metadata().contains("tokenizer.ggml.tokens")) {
                throw new IllegalArgumentException(vocabFrom + " has no tokenizer (tokenizer.ggml.tokens)");
            }
            return new SyntheticModelWriter(preset, type, seed, f.metadata());
        }
    }

    public void write(Path out) throws IOException {
        GgufWriter w = new GgufWriter();
        String a = preset.architecture();
        w.put("general.architecture", MetadataValue.string(a));
        w.put("general.name", MetadataValue.string("quill-synth-" + preset.name() + "-" + type.name().toLowerCase()));
        w.put("general.file_type", MetadataValue.uint32(type.fileType()));
        w.put("general.quantization_version", MetadataValue.uint32(2));
        w.put(a + ".context_length", MetadataValue.uint32(preset.contextLength()));
        w.put(a + ".embedding_length", MetadataValue.uint32(preset.embeddingLength()));
        w.put(a + ".block_count", MetadataValue.uint32(preset.blockCount()));
        w.put(a + ".feed_forward_length", MetadataValue.uint32(preset.feedForwardLength()));
        w.put(a + ".attention.head_count", MetadataValue.uint32(preset.headCount()));
        w.put(a + ".attention.head_count_kv", MetadataValue.uint32(preset.headCountKv()));
        w.put(a + ".rope.freq_base", MetadataValue.float32(preset.ropeFreqBase()));
        w.put(a + ".rope.dimension_count", MetadataValue.uint32(preset.headDim()));
        w.put(a + ".attention.layer_norm_rms_epsilon", MetadataValue.float32(preset.rmsEpsilon()));
        w.put(a + ".vocab_size", MetadataValue.uint32(preset.vocabSize()));
        putTokenizer(w);

        int dim = preset.embeddingLength();
        int vocab = preset.vocabSize();
        int ffn = preset.feedForwardLength();
        int layers = preset.blockCount();
        GgmlType embeddingType = preset.tiedEmbeddings() ? type.outputType() : type.embeddingType();
        int index = 0;
        matrix(w, "token_embd.weight", embeddingType, vocab, dim, index++);
        vector(w, "output_norm.weight", dim, 1f, index++);
        if (!preset.tiedEmbeddings()) {
            matrix(w, "output.weight", type.outputType(), vocab, dim, index++);
        }
        if (preset.ropeFreqFactors() != null) {
            float[] factors = preset.llama3RopeFactors();
            w.addTensor("rope_freqs.weight", GgmlType.F32, new long[] {factors.length}, f32Bytes(factors));
        }
        boolean qwen = a.equals("qwen2");
        boolean phi3 = a.equals("phi3");
        for (int l = 0; l < layers; l++) {
            String b = "blk." + l + ".";
            vector(w, b + "attn_norm.weight", dim, 1f, index++);
            if (phi3) {
                matrix(w, b + "attn_qkv.weight", type.layerType("attn_qkv", l, layers), dim + 2 * preset.kvDim(), dim, index++);
            } else {
                matrix(w, b + "attn_q.weight", type.layerType("attn_q", l, layers), dim, dim, index++);
                matrix(w, b + "attn_k.weight", type.layerType("attn_k", l, layers), preset.kvDim(), dim, index++);
                matrix(w, b + "attn_v.weight", type.layerType("attn_v", l, layers), preset.kvDim(), dim, index++);
            }
            if (qwen) {
                vector(w, b + "attn_q.bias", dim, 0f, index++);
                vector(w, b + "attn_k.bias", preset.kvDim(), 0f, index++);
                vector(w, b + "attn_v.bias", preset.kvDim(), 0f, index++);
            }
            matrix(w, b + "attn_output.weight", type.layerType("attn_output", l, layers), dim, dim, index++);
            vector(w, b + "ffn_norm.weight", dim, 1f, index++);
            if (phi3) {
                matrix(w, b + "ffn_up.weight", type.layerType("ffn_up", l, layers), 2 * ffn, dim, index++);
            } else {
                matrix(w, b + "ffn_gate.weight", type.layerType("ffn_gate", l, layers), ffn, dim, index++);
                matrix(w, b + "ffn_up.weight", type.layerType("ffn_up", l, layers), ffn, dim, index++);
            }
            matrix(w, b + "ffn_down.weight", type.layerType("ffn_down", l, layers), dim, ffn, index++);
        }
        w.write(out);
    }

    private void putTokenizer(GgufWriter w) {
        if (vocabSource != null) {
            for (Map.Entry<String, MetadataValue> e : vocabSource.asMap().entrySet()) {
                if (e.getKey().startsWith("tokenizer.")) {
                    w.put(e.getKey(), e.getValue());
                }
            }
            return;
        }
        // A SentencePiece vocabulary: control tokens, the 256 byte-fallback tokens, printable
        // characters and filler pieces up to the preset's size. Any text encodes (byte fallback).
        int n = preset.vocabSize();
        List<String> tokens = new ArrayList<>(n);
        tokens.add("<unk>");
        tokens.add("<s>");
        tokens.add("</s>");
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
        }
        tokens.add("\u2581");
        for (char c = '!'; c <= '~'; c++) {
            tokens.add(String.valueOf(c));
            tokens.add("\u2581" + c);
        }
        for (int i = 0; tokens.size() < n; i++) {
            tokens.add("\u2581synth" + i);
        }
        String[] pieces = tokens.subList(0, n).toArray(String[]::new);
        float[] scores = new float[n];
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            types[i] = i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1;
            scores[i] = i < 259 ? 0f : -i;
        }
        w.put("tokenizer.ggml.model", MetadataValue.string("llama"));
        w.put("tokenizer.ggml.tokens", MetadataValue.stringArray(pieces));
        w.put("tokenizer.ggml.scores", MetadataValue.float32Array(scores));
        w.put("tokenizer.ggml.token_type", MetadataValue.int32Array(types));
        w.put("tokenizer.ggml.bos_token_id", MetadataValue.uint32(1));
        w.put("tokenizer.ggml.eos_token_id", MetadataValue.uint32(2));
        w.put("tokenizer.ggml.unknown_token_id", MetadataValue.uint32(0));
        w.put("tokenizer.ggml.add_bos_token", MetadataValue.bool(true));
    }

    private void vector(GgufWriter w, String name, int n, float center, int index) {
        SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + index);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = center + (float) (rnd.nextDouble() - 0.5) * 0.02f;
        }
        w.addTensor(name, GgmlType.F32, new long[] {n}, f32Bytes(values));
    }

    private static byte[] f32Bytes(float[] values) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bb.putFloat(v);
        }
        return bb.array();
    }

    private void matrix(GgufWriter w, String name, GgmlType wanted, int rows, int cols, int index) {
        GgmlType t = SynthType.fittingRowLength(wanted, cols);
        long tensorSeed = seed * 1_000_003L + index;
        w.addTensor(name, t, new long[] {cols, rows}, out -> writeRandomRows(out, t, rows, cols, tensorSeed));
    }

    private static void writeRandomRows(WritableByteChannel out, GgmlType t, int rows, int cols, long tensorSeed)
            throws IOException {
        Quantizer quantizer = Quantizer.of(t);
        long rowBytes = t.byteSize(cols);
        int rowsPerChunk = (int) Math.max(1, CHUNK_BYTES / rowBytes);
        MemorySegment chunk = MemorySegment.ofArray(new byte[(int) (rowsPerChunk * rowBytes)]);
        float[] row = new float[cols];
        SplittableRandom rnd = new SplittableRandom(tensorSeed);
        float halfWidth = (float) (WEIGHT_STD * Math.sqrt(3));
        for (int r0 = 0; r0 < rows; r0 += rowsPerChunk) {
            int n = Math.min(rowsPerChunk, rows - r0);
            for (int r = 0; r < n; r++) {
                for (int i = 0; i < cols; i++) {
                    row[i] = (float) (rnd.nextDouble() * 2 - 1) * halfWidth;
                }
                quantizer.quantizeRow(row, 0, cols, chunk, r * rowBytes);
            }
            java.nio.ByteBuffer bb = chunk.asSlice(0, n * rowBytes).asByteBuffer();
            while (bb.hasRemaining()) {
                out.write(bb);
            }
        }
    }
}
