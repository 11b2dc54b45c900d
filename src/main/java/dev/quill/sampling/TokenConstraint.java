package dev.quill.sampling;

/**
 * Restricts which tokens a generation may produce, step by step (constrained decoding): before
 * each sampling step the engine asks the generation's {@link State} to mask the logits of every
 * token that is not allowed next, so whatever sampler runs afterwards can only pick an allowed one.
 *
 * <p>Implementations are immutable and shared; each generation walks its own {@link State}.
 */
public interface TokenConstraint {
    /** A fresh walk for one generation. */
    State start();

    /** The position of one generation in the constraint. Not thread-safe; allocates nothing per token. */
    interface State {
        /** Sets the logit of every token not allowed next to negative infinity. */
        void maskLogits(float[] logits);

        /** Moves past the token just generated, which {@link #maskLogits} allowed. */
        void accept(int token);

        /** Whether the constraint is satisfied and allows nothing more: the generation ends here. */
        boolean isFinished();
    }
}
