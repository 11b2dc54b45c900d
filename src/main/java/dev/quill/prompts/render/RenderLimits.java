package dev.quill.prompts.render;

import java.time.Duration;

/**
 * Bounds on rendering a user-written template, so that no template or input can make the server
 * spend unbounded memory or time.
 *
 * @param maxTemplateChars   longest template source accepted
 * @param maxOutputChars     longest rendered text
 * @param maxLoopIterations  loop iterations in one rendering, all loops and nesting levels together
 * @param maxNesting         deepest nesting of sections ({#if}, {#for}, ...)
 * @param maxValueElements   list elements, map entries and scalars in the variables, all together
 * @param maxValueDepth      deepest nesting of lists and maps in the variables
 * @param timeout            wall-clock time one rendering may take
 */
public record RenderLimits(
        int maxTemplateChars,
        int maxOutputChars,
        int maxLoopIterations,
        int maxNesting,
        int maxValueElements,
        int maxValueDepth,
        Duration timeout) {

    public RenderLimits {
        if (maxTemplateChars < 1 || maxOutputChars < 1 || maxLoopIterations < 0 || maxNesting < 1
                || maxValueElements < 1 || maxValueDepth < 1 || timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("render limits must be positive: " + "template=" + maxTemplateChars
                    + " output=" + maxOutputChars + " iterations=" + maxLoopIterations + " nesting=" + maxNesting
                    + " elements=" + maxValueElements + " depth=" + maxValueDepth + " timeout=" + timeout);
        }
    }

    /** 100,000 template characters, 1,000,000 output characters, 10,000 loop iterations,
     * nesting 32, 100,000 value elements of depth 16, 2 seconds. */
    public static RenderLimits defaults() {
        return new RenderLimits(100_000, 1_000_000, 10_000, 32, 100_000, 16, Duration.ofSeconds(2));
    }

    public RenderLimits withMaxOutputChars(int v) {
        return new RenderLimits(maxTemplateChars, v, maxLoopIterations, maxNesting, maxValueElements, maxValueDepth, timeout);
    }

    public RenderLimits withMaxLoopIterations(int v) {
        return new RenderLimits(maxTemplateChars, maxOutputChars, v, maxNesting, maxValueElements, maxValueDepth, timeout);
    }

    public RenderLimits withTimeout(Duration v) {
        return new RenderLimits(maxTemplateChars, maxOutputChars, maxLoopIterations, maxNesting, maxValueElements, maxValueDepth, v);
    }
}
