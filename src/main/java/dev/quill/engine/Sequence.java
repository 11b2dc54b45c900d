package dev.quill.engine;

import dev.quill.model.ContextLengthExceededException;
import dev.quill.model.KvCache;
import dev.quill.sampling.Sampler;
import dev.quill.sampling.StopStringMatcher;
import dev.quill.sampling.TokenConstraint;
import dev.quill.sampling.TokenHistory;
import dev.quill.tokenizer.StreamingDetokenizer;
import dev.quill.tokenizer.Tokenizer;

/**
 * One generation in progress, whoever drives its forward passes (the single-sequence
 * {@link Generator} or the batching {@link ModelWorker}): its prompt, its KV cache, and what
 * happens with each set of logits — sampling with its own parameters and seed, constraints, end
 * tokens, stop strings, streaming detokenization and the token limit.
 *
 * <p>Everything is allocated when the sequence is created; {@link #accept} allocates nothing but
 * the text it streams.
 */
public final class Sequence {
    private final GenerationRequest request;
    private final Tokenizer tokenizer;
    private final GenerationListener listener;
    private final KvCache cache;
    private final int contextLength;
    private final int cachedTokens;
    private final Sampler sampler;
    private final TokenHistory history;
    private final StreamingDetokenizer detokenizer;
    private final StopStringMatcher stops;
    private final TokenConstraint.State constraint;
    private final StringBuilder text = new StringBuilder();
    /** Prompt then generated tokens: what the KV cache holds, position by position. */
    private final int[] tokens;
    /** The request's end tokens, unboxed: checking a token against the set would box it. */
    private final int[] endTokens;
    private final long createdNanos = System.nanoTime();
    private long firstLogitsNanos;
    private int generated;
    private FinishReason finishReason;

    /**
     * @param cache holds the KV of the first {@code cachedTokens} prompt tokens (a reused prefix) or
     *     is empty; the sequence owns it from now on
     */
    public Sequence(GenerationRequest request, Tokenizer tokenizer, int vocabSize, KvCache cache, GenerationListener listener) {
        int[] prompt = request.promptTokens();
        this.contextLength = cache.contextLength();
        if (prompt.length >= contextLength) {
            throw new ContextLengthExceededException(prompt.length + 1, contextLength);
        }
        request.sampling().validate(vocabSize);
        this.request = request;
        this.tokenizer = tokenizer;
        this.listener = listener;
        this.cache = cache;
        this.cachedTokens = cache.length();
        this.sampler = new Sampler(request.sampling(), vocabSize);
        this.history = sampler.newHistory();
        for (int token : prompt) {
            history.add(token);
        }
        this.detokenizer = new StreamingDetokenizer(tokenizer);
        this.stops = new StopStringMatcher(request.stop());
        this.constraint = request.constraint() == null ? null : request.constraint().start();
        this.tokens = new int[targetLength()];
        this.endTokens = request.endTokens().stream().mapToInt(Integer::intValue).toArray();
        System.arraycopy(prompt, 0, tokens, 0, prompt.length);
    }

    private boolean isEndToken(int token) {
        for (int end : endTokens) {
            if (end == token) {
                return true;
            }
        }
        return false;
    }

    public GenerationRequest request() {
        return request;
    }

    public KvCache cache() {
        return cache;
    }

    /** Positions this sequence can fill at most: prompt plus the tokens it may still generate. */
    public int targetLength() {
        int prompt = request.promptTokens().length;
        int max = request.maxTokens() < 0 ? contextLength : prompt + request.maxTokens();
        return Math.min(contextLength, max);
    }

    /** Prompt tokens whose KV is not computed yet. */
    public int pendingPromptTokens() {
        return Math.max(0, request.promptTokens().length - cache.length());
    }

    /** The token to feed at the cache's current end: the next prompt token, or the last one sampled. */
    public int nextToken() {
        return tokens[cache.length()];
    }

    /** The token at position {@code pos} (prompt or generated). */
    public int tokenAt(int pos) {
        return tokens[pos];
    }

    /** Prompt tokens that came from the prefix cache. */
    public int cachedTokens() {
        return cachedTokens;
    }

    public boolean finished() {
        return finishReason != null;
    }

    /**
     * Handles the logits after the whole prompt or after the last generated token: picks the next
     * token and streams it.
     *
     * @return true when the sequence goes on (feed {@link #nextToken()}), false when it ended
     */
    public boolean accept(float[] logits) {
        if (firstLogitsNanos == 0) {
            firstLogitsNanos = System.nanoTime();
        }
        if (constraint != null) {
            constraint.maskLogits(logits);
        }
        int token = sampler.sample(logits, history);
        history.add(token);
        if (constraint != null) {
            constraint.accept(token);
        }
        if (tokenizer.isEndOfGeneration(token) || isEndToken(token)) {
            finishReason = FinishReason.STOP;
            return false;
        }
        generated++;
        String out = stops.accept(detokenizer.accept(token));
        text.append(out);
        listener.onToken(token, out, sampler);
        if (stops.stopped() || (constraint != null && constraint.isFinished())) {
            finishReason = FinishReason.STOP;
            return false;
        }
        int prompt = request.promptTokens().length;
        // Prompt plus completion never exceed the context, as the OpenAI API counts it.
        if (generated == request.maxTokens() || prompt + generated >= contextLength) {
            finishReason = FinishReason.LENGTH;
            return false;
        }
        tokens[prompt + generated - 1] = token;
        return true;
    }

    /** Ends the sequence early (the client went away, the server shuts down). */
    public void cancel() {
        if (finishReason == null) {
            finishReason = FinishReason.CANCELLED;
        }
    }

    /** Streams what the detokenizer and the stop matcher still hold, and the outcome. */
    public GenerationResult finish() {
        if (finishReason == null) {
            throw new IllegalStateException("the sequence has not ended");
        }
        if (!stops.stopped() && finishReason != FinishReason.CANCELLED) {
            String tail = stops.accept(detokenizer.flush());
            tail += stops.flush();
            if (!tail.isEmpty()) {
                text.append(tail);
                listener.onTrailingText(tail);
            }
        }
        long end = System.nanoTime();
        long promptNanos = (firstLogitsNanos == 0 ? end : firstLogitsNanos) - createdNanos;
        long generationNanos = firstLogitsNanos == 0 ? 0 : end - firstLogitsNanos;
        return new GenerationResult(text.toString(), request.promptTokens().length, generated, finishReason, promptNanos,
                generationNanos, cachedTokens);
    }

    /** The tokens whose KV the cache holds, for the prefix cache. */
    int[] cachedTokenIds() {
        return java.util.Arrays.copyOf(tokens, cache.length());
    }
}
