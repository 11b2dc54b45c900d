package dev.quill.chat;

import java.time.Duration;

/**
 * Sandbox limits for one rendering. Templates come from model files, which are untrusted input:
 * these bound the output, the work and the time a template can take before it fails with a
 * {@link TemplateException}.
 *
 * @param maxOutputChars     largest rendered output, and largest string or list any single
 *                           template operation may build; all text a rendering builds, captured
 *                           macro output included, is capped at 16 times this
 * @param maxLoopIterations  total loop iterations over the whole rendering, nested loops included
 * @param maxCallDepth       deepest nesting of macro calls (recursion)
 * @param maxRenderTime      wall-clock time a rendering may take
 */
public record TemplateLimits(int maxOutputChars, long maxLoopIterations, int maxCallDepth, Duration maxRenderTime) {

    /** Generous for any real chat template: 8M chars, 1M iterations, depth 64, 5 s. */
    public static final TemplateLimits DEFAULT = new TemplateLimits(8_000_000, 1_000_000, 64, Duration.ofSeconds(5));

    public TemplateLimits {
        if (maxOutputChars <= 0 || maxLoopIterations <= 0 || maxCallDepth <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (maxRenderTime == null || maxRenderTime.isNegative() || maxRenderTime.isZero()) {
            throw new IllegalArgumentException("maxRenderTime must be positive");
        }
    }
}
