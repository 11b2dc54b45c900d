package dev.quill.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The model architectures the engine runs, by their {@code general.architecture} name. */
public enum Architecture {
    /** Llama 2/3/3.1/3.2, Mistral, TinyLlama, SmolLM: separate Q/K/V, adjacent-pair RoPE. */
    LLAMA("llama", RopeLayout.NORMAL, false),
    /** Qwen2 / Qwen2.5: Q/K/V biases, NEOX RoPE. */
    QWEN2("qwen2", RopeLayout.NEOX, false),
    /** Phi-3: fused QKV and fused gate/up projections, NEOX RoPE. */
    PHI3("phi3", RopeLayout.NEOX, true);

    private final String ggufName;
    private final RopeLayout ropeLayout;
    private final boolean scalesQuery;

    Architecture(String ggufName, RopeLayout ropeLayout, boolean scalesQuery) {
        this.ggufName = ggufName;
        this.ropeLayout = ropeLayout;
        this.scalesQuery = scalesQuery;
    }

    /** Whether Q is multiplied by 1/sqrt(head_dim) before the scores (instead of the scores after). */
    public boolean scalesQuery() {
        return scalesQuery;
    }

    public String ggufName() {
        return ggufName;
    }

    public RopeLayout ropeLayout() {
        return ropeLayout;
    }

    public static String supportedNames() {
        return Arrays.stream(values()).map(Architecture::ggufName).collect(Collectors.joining(", "));
    }

    /** The architecture for a {@code general.architecture} value, or a clear error. */
    public static Architecture fromGguf(String name) {
        for (Architecture a : values()) {
            if (a.ggufName.equals(name)) {
                return a;
            }
        }
        throw new ModelLoadException("architecture " + name + " is not supported; supported: " + supportedNames());
    }

    /** How RoPE pairs up the dimensions of a head. */
    public enum RopeLayout {
        /** Pairs (x[2i], x[2i+1]), as in the original Llama code. */
        NORMAL,
        /** Pairs (x[i], x[i + n/2]), as in GPT-NeoX and Hugging Face's rotate_half. */
        NEOX
    }
}
