package dev.quill.model;

import dev.quill.gguf.GgufFormatException;
import dev.quill.gguf.GgufMetadata;

/**
 * The hyper-parameters of a transformer, read from GGUF metadata ({@code <arch>.*} keys).
 *
 * @param trainedContextLength the context the model was trained for ({@code <arch>.context_length})
 * @param ropeDimensions how many dimensions of each head RoPE rotates (may be less than headDim)
 * @param ropeFrequencyScale positions are multiplied by this (linear RoPE scaling: 1 / factor)
 */
public record ModelConfig(
        Architecture architecture,
        String name,
        int embeddingLength,
        int feedForwardLength,
        int blockCount,
        int headCount,
        int headCountKv,
        int headDim,
        int vocabSize,
        int trainedContextLength,
        int ropeDimensions,
        float ropeFrequencyBase,
        float ropeFrequencyScale,
        float rmsNormEpsilon) {

    public ModelConfig {
        positive("embedding_length", embeddingLength);
        positive("feed_forward_length", feedForwardLength);
        positive("block_count", blockCount);
        positive("attention.head_count", headCount);
        positive("attention.head_count_kv", headCountKv);
        positive("head dimension", headDim);
        positive("vocabulary size", vocabSize);
        positive("context_length", trainedContextLength);
        if (headCount % headCountKv != 0) {
            throw new ModelLoadException("attention.head_count " + headCount
                    + " is not a multiple of attention.head_count_kv " + headCountKv);
        }
        if (ropeDimensions <= 0 || ropeDimensions > headDim || ropeDimensions % 2 != 0) {
            throw new ModelLoadException("rope.dimension_count " + ropeDimensions + " must be even and within 1.." + headDim);
        }
        if (!(ropeFrequencyBase > 0) || !(rmsNormEpsilon > 0) || !(ropeFrequencyScale > 0)) {
            throw new ModelLoadException("rope.freq_base, rope scaling and layer_norm_rms_epsilon must be positive");
        }
    }

    private static void positive(String key, int v) {
        if (v <= 0) {
            throw new ModelLoadException("model metadata " + key + " must be positive, got " + v);
        }
    }

    /** Width of the K and V projections: KV heads × head dimension. */
    public int kvDim() {
        return headCountKv * headDim;
    }

    /** Width of the Q projection: heads × head dimension. */
    public int qDim() {
        return headCount * headDim;
    }

    /** Reads the config; {@code vocabSize} comes from the embedding tensor, which is authoritative. */
    public static ModelConfig fromGguf(GgufMetadata md, int vocabSize) {
        String archName = md.getString("general.architecture", null);
        if (archName == null) {
            throw new ModelLoadException("metadata general.architecture is missing: not a model file");
        }
        Architecture arch = Architecture.fromGguf(archName);
        String p = archName + ".";
        try {
            int dim = md.getInt(p + "embedding_length");
            int heads = md.getInt(p + "attention.head_count");
            int kvHeads = md.getInt(p + "attention.head_count_kv", heads);
            int headDim = md.getInt(p + "attention.key_length", heads > 0 ? dim / heads : 0);
            int ropeDims = md.getInt(p + "rope.dimension_count", headDim);
            float scale = 1f;
            String scalingType = md.getString(p + "rope.scaling.type", "none");
            switch (scalingType) {
                case "none" -> { }
                case "linear" -> {
                    float factor = md.getFloat(p + "rope.scaling.factor", 1f);
                    scale = factor > 0 ? 1f / factor : 1f;
                }
                case "longrope" -> { } // Phi-3 128k: the per-dimension factors come from tensors
                default -> throw new ModelLoadException("RoPE scaling type " + scalingType
                        + " is not supported; supported: none, linear, llama3 frequency factors (rope_freqs), longrope");
            }
            if (!md.contains(p + "rope.scaling.type") && md.contains(p + "rope.scale_linear")) {
                float factor = md.getFloat(p + "rope.scale_linear");
                scale = factor > 0 ? 1f / factor : 1f;
            }
            return new ModelConfig(
                    arch,
                    md.getString("general.name", archName),
                    dim,
                    md.getInt(p + "feed_forward_length"),
                    md.getInt(p + "block_count"),
                    heads,
                    kvHeads,
                    headDim,
                    vocabSize,
                    md.getInt(p + "context_length"),
                    ropeDims,
                    md.getFloat(p + "rope.freq_base", 10000f),
                    scale,
                    md.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f));
        } catch (GgufFormatException e) {
            throw new ModelLoadException(e.getMessage(), e);
        }
    }
}
