package dev.quill.model;

import dev.quill.tensor.WeightMatrix;

/**
 * One transformer block's weights. Architectures with fused projections (Phi-3) set {@code qkv}
 * and {@code gateUp} and leave the separate ones null; the others do the opposite. Biases are null
 * when the architecture has none.
 */
public record LayerWeights(
        float[] attentionNorm,
        WeightMatrix wq,
        WeightMatrix wk,
        WeightMatrix wv,
        WeightMatrix qkv,
        float[] bq,
        float[] bk,
        float[] bv,
        WeightMatrix wo,
        float[] ffnNorm,
        WeightMatrix ffnGate,
        WeightMatrix ffnUp,
        WeightMatrix gateUp,
        WeightMatrix ffnDown) {

    public boolean fusedQkv() {
        return qkv != null;
    }

    public boolean fusedGateUp() {
        return gateUp != null;
    }

    /** Bytes of matrix weights read for one token through this layer. */
    public long matrixBytes() {
        long sum = wo.byteSize() + ffnDown.byteSize();
        sum += fusedQkv() ? qkv.byteSize() : wq.byteSize() + wk.byteSize() + wv.byteSize();
        sum += fusedGateUp() ? gateUp.byteSize() : ffnGate.byteSize() + ffnUp.byteSize();
        return sum;
    }
}
