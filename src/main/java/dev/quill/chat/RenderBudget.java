package dev.quill.chat;

/** Enforces {@link TemplateLimits} during one rendering. */
final class RenderBudget {
    private final TemplateLimits limits;
    private final long deadline;
    private final long maxTotalChars;
    private long iterations;
    private long totalChars;
    private int callDepth;

    RenderBudget(TemplateLimits limits) {
        this.limits = limits;
        this.deadline = System.nanoTime() + limits.maxRenderTime().toNanos();
        this.maxTotalChars = 16L * limits.maxOutputChars();
    }

    void countIteration() {
        if (++iterations > limits.maxLoopIterations()) {
            throw new TemplateException("template exceeded the limit of " + limits.maxLoopIterations() + " loop iterations");
        }
        checkTime();
    }

    void checkTime() {
        if (System.nanoTime() - deadline > 0) {
            throw new TemplateException("template rendering exceeded the time limit of " + limits.maxRenderTime().toMillis() + " ms");
        }
    }

    void enterCall() {
        if (++callDepth > limits.maxCallDepth()) {
            callDepth--;
            throw new TemplateException("template exceeded the macro call depth limit of " + limits.maxCallDepth());
        }
        checkTime();
    }

    void exitCall() {
        callDepth--;
    }

    /** Called before building a string or list of {@code size} elements. */
    void checkSize(long size) {
        if (size > limits.maxOutputChars()) {
            throw new TemplateException("template output exceeded the limit of " + limits.maxOutputChars() + " characters");
        }
    }

    /** Accounts text appended to any output buffer, captured macro output included. */
    void wrote(long chars) {
        totalChars += chars;
        if (totalChars > maxTotalChars) {
            throw new TemplateException("template built more than " + maxTotalChars + " characters of text");
        }
    }
}
