package dev.quill.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The exact shapes of published models, so that speed can be measured on realistic sizes with
 * random weights. Values are those of the models' Hugging Face configs.
 *
 * @param ropeFreqFactors Llama 3.1-style frequency scaling (written as a {@code rope_freqs} tensor), or null
 */
public record ModelPreset(
        String name,
        String architecture,
        int embeddingLength,
        int blockCount,
        int headCount,
        int headCountKv,
        int feedForwardLength,
        int vocabSize,
        boolean tiedEmbeddings,
        int contextLength,
        float ropeFreqBase,
        float rmsEpsilon,
        Llama3RopeScaling ropeFreqFactors) {

    /** Llama 3.1 / 3.2 RoPE scaling parameters. */
    public record Llama3RopeScaling(float factor, float lowFreqFactor, float highFreqFactor, int originalContext) {
    }

    private static final Llama3RopeScaling LLAMA_3_2 = new Llama3RopeScaling(32f, 1f, 4f, 8192);
    private static final Llama3RopeScaling LLAMA_3_1 = new Llama3RopeScaling(8f, 1f, 4f, 8192);

    public static final ModelPreset[] ALL = {
        new ModelPreset("smollm2-135m", "llama", 576, 30, 9, 3, 1536, 49152, true, 8192, 100000f, 1e-5f, null),
        new ModelPreset("qwen2.5-0.5b", "qwen2", 896, 24, 14, 2, 4864, 151936, true, 32768, 1000000f, 1e-6f, null),
        new ModelPreset("llama-3.2-1b", "llama", 2048, 16, 32, 8, 8192, 128256, true, 131072, 500000f, 1e-5f, LLAMA_3_2),
        new ModelPreset("tinyllama-1.1b", "llama", 2048, 22, 32, 4, 5632, 32000, false, 2048, 10000f, 1e-5f, null),
        new ModelPreset("llama-3.2-3b", "llama", 3072, 28, 24, 8, 8192, 128256, true, 131072, 500000f, 1e-5f, LLAMA_3_2),
        new ModelPreset("llama-3.1-8b", "llama", 4096, 32, 32, 8, 14336, 128256, false, 131072, 500000f, 1e-5f, LLAMA_3_1),
        new ModelPreset("phi-3-mini", "phi3", 3072, 32, 32, 32, 8192, 32064, false, 4096, 10000f, 1e-5f, null),
    };

    public int headDim() {
        return embeddingLength / headCount;
    }

    public int kvDim() {
        return headCountKv * headDim();
    }

    /** Parameters of the matrices and norms (embedding counted once when tied). */
    public long parameterCount() {
        long dim = embeddingLength;
        long perLayer = dim * dim + 2 * dim * kvDim() + dim * dim + 3 * dim * feedForwardLength + 2 * dim;
        long embeddings = (long) vocabSize * dim * (tiedEmbeddings ? 1 : 2);
        return blockCount * perLayer + embeddings + dim;
    }

    public static ModelPreset byName(String name) {
        for (ModelPreset p : ALL) {
            if (p.name.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + name + "'; presets: " + names());
    }

    public static String names() {
        return Arrays.stream(ALL).map(ModelPreset::name).collect(Collectors.joining(", "));
    }

    /** The same shapes with another vocabulary size (e.g. the one of --vocab-from). */
    public ModelPreset withVocabSize(int n) {
        return new ModelPreset(name, architecture, embeddingLength, blockCount, headCount, headCountKv,
                feedForwardLength, n, tiedEmbeddings, contextLength, ropeFreqBase, rmsEpsilon, ropeFreqFactors);
    }

    /**
     * Llama 3's per-frequency divisors: high frequencies unchanged, low ones divided by the
     * factor, a smooth ramp between (as Meta's reference code and llama.cpp's converter compute).
     */
    public float[] llama3RopeFactors() {
        Llama3RopeScaling s = ropeFreqFactors;
        int pairs = headDim() / 2;
        float[] out = new float[pairs];
        double lowFreqWavelen = s.originalContext() / s.lowFreqFactor();
        double highFreqWavelen = s.originalContext() / s.highFreqFactor();
        for (int i = 0; i < pairs; i++) {
            double freq = 1.0 / Math.pow(ropeFreqBase, 2.0 * i / headDim());
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highFreqWavelen) {
                out[i] = 1f;
            } else if (wavelen > lowFreqWavelen) {
                out[i] = s.factor();
            } else {
                double smooth = (s.originalContext() / wavelen - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
                out[i] = (float) (1.0 / ((1 - smooth) / s.factor() + smooth));
            }
        }
        return out;
    }
}
