package dev.quill.prompts.cot;

/**
 * Streams a chain of thought's reasoning while it is generated, so that what was streamed, put
 * together, is exactly the reasoning the finished run reports ({@link CotResult#reasoning()}):
 * leading whitespace is dropped, trailing whitespace is held back until more text follows, and in
 * the few-shot mode, where the same call goes on with "The answer is ...", everything from a
 * possible start of that phrase is held back. {@link #finish} sends what is left.
 *
 * <p>Not thread-safe: one per call, fed in order.
 */
public final class ReasoningStream {
    private static final String ANSWER_IS = "the answer is";

    private final boolean holdBackAnswer;
    private final StringBuilder raw = new StringBuilder();
    private final StringBuilder sent = new StringBuilder();

    /** @param holdBackAnswer the reasoning ends where "The answer is" begins (few-shot) */
    public ReasoningStream(boolean holdBackAnswer) {
        this.holdBackAnswer = holdBackAnswer;
    }

    /** Takes the next generated text; returns what can be shown now (possibly ""). */
    public String accept(String piece) {
        raw.append(piece);
        String safe = safe();
        if (safe.length() <= sent.length() || !safe.startsWith(sent.toString())) {
            return "";
        }
        String more = safe.substring(sent.length());
        sent.append(more);
        return more;
    }

    /** The rest of the finished reasoning after what was shown; "" if nothing is left (or it does not continue what was shown). */
    public String finish(String reasoning) {
        String done = sent.toString();
        if (!reasoning.startsWith(done)) {
            return "";
        }
        sent.setLength(0);
        sent.append(reasoning);
        return reasoning.substring(done.length());
    }

    /** Everything shown so far. */
    public String sent() {
        return sent.toString();
    }

    private String safe() {
        String t = raw.toString().stripLeading();
        if (holdBackAnswer) {
            // The first place where "the answer is" starts, or a part of it runs to the end and may become it.
            for (int i = 0; i < t.length(); i++) {
                int n = Math.min(ANSWER_IS.length(), t.length() - i);
                if (t.regionMatches(true, i, ANSWER_IS, 0, n)) {
                    t = t.substring(0, i);
                    break;
                }
            }
        }
        return t.stripTrailing();
    }
}
