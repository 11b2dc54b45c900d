package dev.quill.engine;

import dev.quill.model.ContextLengthExceededException;
import dev.quill.model.KvCache;
import dev.quill.model.Model;
import dev.quill.model.Transformer;
import dev.quill.tokenizer.Tokenizer;

/**
 * Runs one sequence at a time on a model, for the command line and tests: prompt processing, then
 * token by token through a {@link Sequence}. Keeps the KV cache of the previous run, so a prompt
 * that extends the previous one (a chat) only processes the new tokens. The server uses the
 * batching {@link ModelWorker} instead.
 *
 * <p>Not thread-safe: one generation at a time per instance.
 */
public final class Generator {
    private final Model model;
    private final Tokenizer tokenizer;
    private final Transformer transformer;
    private final KvCache cache;
    private final float[] logits;
    private final int[] single = new int[1];
    private int[] cachedTokens = new int[0];

    public Generator(Model model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.transformer = model.newTransformer();
        this.cache = model.newCache();
        this.logits = new float[model.config().vocabSize()];
    }

    public Model model() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public int contextLength() {
        return cache.contextLength();
    }

    public GenerationResult generate(GenerationRequest request, GenerationListener listener, CancellationToken cancel) {
        int[] prompt = request.promptTokens();
        if (prompt.length >= cache.contextLength()) {
            throw new ContextLengthExceededException(prompt.length + 1, cache.contextLength());
        }
        cache.truncate(reusablePrefix(prompt));
        Sequence sequence = new Sequence(request, tokenizer, model.config().vocabSize(), cache, listener);
        try {
            // The prompt goes in batch-sized steps so a cancellation (client gone) is seen between
            // steps, not only after a long prompt has been processed.
            while (sequence.pendingPromptTokens() > 0) {
                if (cancel != null && cancel.isCancelled()) {
                    sequence.cancel();
                    return sequence.finish();
                }
                int pos = cache.length();
                int n = Math.min(transformer.maxBatch(), prompt.length - pos);
                transformer.forward(cache, prompt, pos, n, pos + n == prompt.length ? logits : null, false);
            }
            while (sequence.accept(logits)) {
                if (cancel != null && cancel.isCancelled()) {
                    sequence.cancel();
                    break;
                }
                single[0] = sequence.nextToken();
                transformer.forward(cache, single, 0, 1, logits, false);
            }
            return sequence.finish();
        } finally {
            cachedTokens = sequence.cachedTokenIds();
        }
    }

    /** Tokens at the start of {@code prompt} whose KV entries are still valid, keeping at least one to recompute. */
    private int reusablePrefix(int[] prompt) {
        int limit = Math.min(Math.min(cachedTokens.length, cache.length()), prompt.length - 1);
        int n = 0;
        while (n < limit && cachedTokens[n] == prompt[n]) {
            n++;
        }
        return n;
    }
}
