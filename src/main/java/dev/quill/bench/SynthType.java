package dev.quill.bench;

import dev.quill.tensor.GgmlType;

/**
 * The weight-type mixes {@code quill synth} writes, following llama.cpp's quantizer choices so the
 * files resemble the published ones: norms stay F32; the output matrix (or the embedding when it
 * doubles as output) is Q6_K in the 4-bit files; Q4_K_M gives Q6_K to attn_v and ffn_down in the
 * first and last eighth of the layers and every third layer between. A k-quant whose 256-value
 * blocks do not divide a row (SmolLM2's 576, Qwen2.5's 896) falls back as llama.cpp's quantizer
 * does: Q6_K to Q8_0, Q4_K to Q5_0, and F16 when even 32-value blocks do not fit.
 */
public enum SynthType {
    F16(1),
    Q8_0(7),
    Q4_0(2),
    Q4_K_M(15),
    Q6_K(18);

    /** llama.cpp's {@code general.file_type} (llama_ftype) value. */
    private final int fileType;

    SynthType(int fileType) {
        this.fileType = fileType;
    }

    public int fileType() {
        return fileType;
    }

    public static SynthType parse(String s) {
        for (SynthType t : values()) {
            if (t.name().equalsIgnoreCase(s)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown type '" + s + "'; types: F16, Q8_0, Q4_0, Q4_K_M, Q6_K");
    }

    /** The type of the tensor that produces the logits (output, or the tied embedding). */
    GgmlType outputType() {
        return switch (this) {
            case F16 -> GgmlType.F16;
            case Q8_0 -> GgmlType.Q8_0;
            case Q4_0, Q4_K_M, Q6_K -> GgmlType.Q6_K;
        };
    }

    /** The embedding's type when it is not also the output. */
    GgmlType embeddingType() {
        return switch (this) {
            case F16 -> GgmlType.F16;
            case Q8_0 -> GgmlType.Q8_0;
            case Q4_0 -> GgmlType.Q4_0;
            case Q4_K_M -> GgmlType.Q4_K;
            case Q6_K -> GgmlType.Q6_K;
        };
    }

    /** The type of a layer matrix; {@code role} is the tensor name's middle part, e.g. "attn_v". */
    GgmlType layerType(String role, int layer, int layers) {
        return switch (this) {
            case F16 -> GgmlType.F16;
            case Q8_0 -> GgmlType.Q8_0;
            case Q4_0 -> GgmlType.Q4_0;
            case Q6_K -> GgmlType.Q6_K;
            case Q4_K_M -> (role.equals("attn_v") || role.equals("ffn_down")) && moreBits(layer, layers)
                    ? GgmlType.Q6_K : GgmlType.Q4_K;
        };
    }

    /** {@code wanted}, or the type llama.cpp's quantizer falls back to when its blocks do not divide a row. */
    static GgmlType fittingRowLength(GgmlType wanted, int rowLength) {
        if (rowLength % wanted.blockSize() == 0) {
            return wanted;
        }
        GgmlType fallback = switch (wanted) {
            case Q6_K -> GgmlType.Q8_0;
            case Q4_K -> GgmlType.Q5_0;
            default -> GgmlType.F16;
        };
        return rowLength % fallback.blockSize() == 0 ? fallback : GgmlType.F16;
    }

    private static boolean moreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }
}
