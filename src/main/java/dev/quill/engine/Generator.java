package dev.quill.engine;

import dev.quill.model.ContextLengthExceededException;
import dev.quill.model.KvCache;
import dev.quill.model.Model;
import dev.quill.model.Transformer;
import dev.quill.sampling.Sampler;
import dev.quill.sampling.StopStringMatcher;
import dev.quill.sampling.TokenConstraint;
import dev.quill.sampling.TokenHistory;
import dev.quill.tokenizer.StreamingDetokenizer;
import dev.quill.tokenizer.Tokenizer;

/**
 * Runs one sequence at a time on a model: prompt processing, then sampling token by token with
 * streaming detokenization and stop strings. Keeps the KV cache of the previous run, so a prompt
 * that extends the previous one (a chat) only processes the new tokens.
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
        request.sampling().validate(model.config().vocabSize());
        long t0 = System.nanoTime();
        int reused = reusablePrefix(prompt);
        cache.truncate(reused);
        cachedTokens = prompt.clone();
        // The prompt goes in batch-sized steps so a cancellation (client gone) is seen between
        // steps, not only after a long prompt has been processed.
        for (int pos = reused; pos < prompt.length; ) {
            if (cancel != null && cancel.isCancelled()) {
                cachedTokens = java.util.Arrays.copyOf(prompt, pos);
                return new GenerationResult("", prompt.length, 0, FinishReason.CANCELLED, System.nanoTime() - t0, 0);
            }
            int n = Math.min(transformer.maxBatch(), prompt.length - pos);
            transformer.forward(cache, prompt, pos, n, pos + n == prompt.length ? logits : null, false);
            pos += n;
        }
        long t1 = System.nanoTime();

        Sampler sampler = new Sampler(request.sampling(), model.config().vocabSize());
        TokenHistory history = sampler.newHistory();
        for (int token : prompt) {
            history.add(token);
        }
        StreamingDetokenizer detokenizer = new StreamingDetokenizer(tokenizer);
        StopStringMatcher stops = new StopStringMatcher(request.stop());
        StringBuilder text = new StringBuilder();
        TokenConstraint.State constraint = request.constraint() == null ? null : request.constraint().start();
        int generated = 0;
        FinishReason reason;
        while (true) {
            if (cancel != null && cancel.isCancelled()) {
                reason = FinishReason.CANCELLED;
                break;
            }
            if (constraint != null) {
                constraint.maskLogits(logits);
            }
            int token = sampler.sample(logits, history);
            history.add(token);
            if (constraint != null) {
                constraint.accept(token);
            }
            if (tokenizer.isEndOfGeneration(token) || (!request.endTokens().isEmpty() && request.endTokens().contains(token))) {
                reason = FinishReason.STOP;
                break;
            }
            generated++;
            String out = stops.accept(detokenizer.accept(token));
            text.append(out);
            listener.onToken(token, out, sampler);
            if (stops.stopped() || (constraint != null && constraint.isFinished())) {
                reason = FinishReason.STOP;
                break;
            }
            // Prompt plus completion never exceed the context, as the OpenAI API counts it.
            if (generated == request.maxTokens() || prompt.length + generated >= cache.contextLength()) {
                reason = FinishReason.LENGTH;
                break;
            }
            single[0] = token;
            transformer.forward(cache, single, 0, 1, logits, false);
            appendCached(token);
        }
        if (!stops.stopped()) {
            String tail = stops.accept(detokenizer.flush());
            tail += stops.flush();
            if (!tail.isEmpty()) {
                text.append(tail);
                listener.onTrailingText(tail);
            }
        }
        long t2 = System.nanoTime();
        return new GenerationResult(text.toString(), prompt.length, generated, reason, t1 - t0, t2 - t1);
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

    private void appendCached(int token) {
        int len = cache.length();
        if (cachedTokens.length < len) {
            cachedTokens = java.util.Arrays.copyOf(cachedTokens, Math.max(len, cachedTokens.length * 2));
        }
        cachedTokens[len - 1] = token;
    }
}
