package dev.quill.prompts.render;

import dev.quill.prompts.RenderLimitException;

/** The loop, output and time allowance of one rendering; checked as the template runs. */
final class RenderBudget {
    static final String ATTRIBUTE = "quill.renderBudget";

    private final RenderLimits limits;
    private final long deadlineNanos;
    private int iterations;
    private long outputChars;

    RenderBudget(RenderLimits limits) {
        this.limits = limits;
        this.deadlineNanos = System.nanoTime() + limits.timeout().toNanos();
    }

    /** Called before a loop starts, so a huge collection fails before Qute allocates for it. */
    void checkLoopSize(int size) {
        if ((long) iterations + size > limits.maxLoopIterations()) {
            throw iterationsExceeded();
        }
        checkTime();
    }

    /** Called for every loop iteration, nested ones included. */
    void iteration() {
        if (++iterations > limits.maxLoopIterations()) {
            throw iterationsExceeded();
        }
        checkTime();
    }

    void output(int chars) {
        outputChars += chars;
        if (outputChars > limits.maxOutputChars()) {
            throw new RenderLimitException("output_chars", "the rendered prompt is longer than the limit of "
                    + limits.maxOutputChars() + " characters");
        }
        checkTime();
    }

    void checkTime() {
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new RenderLimitException("time", "rendering took longer than the limit of "
                    + limits.timeout().toMillis() + " ms");
        }
    }

    private RenderLimitException iterationsExceeded() {
        return new RenderLimitException("loop_iterations", "the template's loops run more than "
                + limits.maxLoopIterations() + " iterations in all");
    }
}
