package dev.quill.server;

import dev.quill.engine.GenerationResult;

/** What a running generation reports, in order, for each choice (prompt) of a request. */
public sealed interface GenerationEvent {
    int choice();

    /** The choice's prompt starts being processed: the request has left the queue. */
    record Started(int choice) implements GenerationEvent {
    }

    /**
     * A generated token and the text it completes (empty while a character or a possible stop
     * string is incomplete); {@code logprob} is null unless logprobs were requested.
     */
    record Token(int choice, int token, String text, TokenLogprob logprob) implements GenerationEvent {
    }

    /** Text held back until the end (an incomplete stop-string prefix that turned out not to be one). */
    record Trailing(int choice, String text) implements GenerationEvent {
    }

    record Finished(int choice, GenerationResult result) implements GenerationEvent {
    }

    /** A token's log-probability and its most likely alternatives, copied out of the sampler. */
    record TokenLogprob(int token, float logprob, int[] topTokens, float[] topLogprobs) {
    }
}
