package dev.quill.model;

/** The KV budget has no free page left. The scheduler reserves pages before admitting a sequence, so this means a bug or a sequence run outside it. */
public final class KvBudgetExceededException extends RuntimeException {
    public KvBudgetExceededException(int maxPages, int pageTokens) {
        super("the KV cache budget of " + ((long) maxPages * pageTokens) + " tokens is used up");
    }
}
