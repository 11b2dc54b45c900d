package dev.quill.model;

import dev.quill.gguf.GgufFile;
import dev.quill.gguf.TensorInfo;
import dev.quill.tensor.UnsupportedWeightTypeException;
import dev.quill.tensor.WeightMatrix;

/**
 * All weights of a model as views of the memory-mapped file. Only the small 1-D norm and bias
 * vectors are copied to the heap (a few KB per layer); matrices are read in place.
 *
 * @param ropeFrequencyFactors per rotated pair divisor of the RoPE frequency (Llama 3.1
 *     {@code rope_freqs}, Phi-3 long-context factors), or null
 */
public record ModelWeights(
        WeightMatrix tokenEmbedding,
        LayerWeights[] layers,
        float[] outputNorm,
        WeightMatrix output,
        boolean tiedOutput,
        float[] ropeFrequencyFactors) {

    /** Bytes of weights read to produce one token (every matrix once, plus one embedding row). */
    public long bytesPerToken() {
        long sum = output.byteSize() + tokenEmbedding.rowBytes();
        for (LayerWeights l : layers) {
            sum += l.matrixBytes();
        }
        return sum;
    }

    /** Maps every tensor the architecture needs, checking presence, type support and shape. */
    public static ModelWeights load(GgufFile file, ModelConfig c, int contextLength) {
        Loader in = new Loader(file);
        int dim = c.embeddingLength();
        WeightMatrix embedding = in.matrix("token_embd.weight", c.vocabSize(), dim);
        LayerWeights[] layers = new LayerWeights[c.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            String b = "blk." + i + ".";
            boolean fusedQkv = file.tensor(b + "attn_qkv.weight") != null;
            boolean fusedGateUp = file.tensor(b + "ffn_gate.weight") == null && c.architecture() == Architecture.PHI3;
            int qkvRows = c.qDim() + 2 * c.kvDim();
            layers[i] = new LayerWeights(
                    in.vector(b + "attn_norm.weight", dim),
                    fusedQkv ? null : in.matrix(b + "attn_q.weight", c.qDim(), dim),
                    fusedQkv ? null : in.matrix(b + "attn_k.weight", c.kvDim(), dim),
                    fusedQkv ? null : in.matrix(b + "attn_v.weight", c.kvDim(), dim),
                    fusedQkv ? in.matrix(b + "attn_qkv.weight", qkvRows, dim) : null,
                    in.optionalVector(b + "attn_q.bias", c.qDim()),
                    in.optionalVector(b + "attn_k.bias", c.kvDim()),
                    in.optionalVector(b + "attn_v.bias", c.kvDim()),
                    in.matrix(b + "attn_output.weight", dim, c.qDim()),
                    in.vector(b + "ffn_norm.weight", dim),
                    fusedGateUp ? null : in.matrix(b + "ffn_gate.weight", c.feedForwardLength(), dim),
                    fusedGateUp ? null : in.matrix(b + "ffn_up.weight", c.feedForwardLength(), dim),
                    fusedGateUp ? in.matrix(b + "ffn_up.weight", 2 * c.feedForwardLength(), dim) : null,
                    in.matrix(b + "ffn_down.weight", dim, c.feedForwardLength()));
            if (c.architecture() == Architecture.QWEN2 && layers[i].bq() == null) {
                throw new ModelLoadException("qwen2 model is missing tensor " + b + "attn_q.bias");
            }
        }
        float[] outputNorm = in.vector("output_norm.weight", dim);
        boolean tied = file.tensor("output.weight") == null;
        WeightMatrix output = tied ? embedding : in.matrix("output.weight", c.vocabSize(), dim);
        float[] ropeFactors = ropeFactors(file, in, c, contextLength);
        return new ModelWeights(embedding, layers, outputNorm, output, tied, ropeFactors);
    }

    private static float[] ropeFactors(GgufFile file, Loader in, ModelConfig c, int contextLength) {
        int pairs = c.ropeDimensions() / 2;
        if (file.tensor("rope_freqs.weight") != null) {
            return in.vector("rope_freqs.weight", pairs);
        }
        if (file.tensor("rope_factors_long.weight") != null) {
            // Phi-3 long-context models use the "short" factors within the original context.
            String p = c.architecture().ggufName() + ".rope.scaling.original_context_length";
            long original = file.metadata().getLong(p, c.trainedContextLength());
            String name = contextLength > original ? "rope_factors_long.weight" : "rope_factors_short.weight";
            return in.vector(name, pairs);
        }
        return null;
    }

    /** Looks tensors up by name and checks them, so that errors name the tensor. */
    private record Loader(GgufFile file) {
        TensorInfo require(String name) {
            TensorInfo t = file.tensor(name);
            if (t == null) {
                throw new ModelLoadException("tensor " + name + " is missing from " + file.path().getFileName());
            }
            return t;
        }

        WeightMatrix matrix(String name, int rows, int cols) {
            TensorInfo t = require(name);
            if (t.dims().length > 2 || t.rowLength() != cols || t.rowCount() != rows) {
                throw new ModelLoadException("tensor " + name + " has shape " + t.shape() + ", expected [" + cols + ", " + rows + "]");
            }
            try {
                return WeightMatrix.of(t.type(), file.tensorData(t), rows, cols);
            } catch (UnsupportedWeightTypeException e) {
                throw new ModelLoadException("tensor " + name + ": " + e.getMessage(), e);
            }
        }

        float[] vector(String name, int length) {
            TensorInfo t = require(name);
            if (t.elementCount() != length) {
                throw new ModelLoadException("tensor " + name + " has shape " + t.shape() + ", expected [" + length + "]");
            }
            float[] out = new float[length];
            try {
                WeightMatrix.of(t.type(), file.tensorData(t), 1, length).dequantizeRow(0, out, 0);
            } catch (UnsupportedWeightTypeException e) {
                throw new ModelLoadException("tensor " + name + ": " + e.getMessage(), e);
            }
            return out;
        }

        float[] optionalVector(String name, int length) {
            return file.tensor(name) == null ? null : vector(name, length);
        }
    }
}
