package dev.quill.prompts.render;

import dev.quill.prompts.reframe.ReframeRule;
import dev.quill.tokenizer.Tokenizer;

import java.util.EnumSet;
import java.util.Set;

/**
 * How to render a template.
 *
 * @param rules               the reframing rules to apply; none renders the template as written
 *                            (a template with steps then becomes one prompt)
 * @param systemRoleSupported false when the model's chat template has no system role: the
 *                            persona and system messages are merged into the first user turn
 * @param tokenizer           the model's tokenizer, so the restrain rule can size max_tokens for the
 *                            allowed answers; null when unknown
 */
public record RenderOptions(Set<ReframeRule> rules, boolean systemRoleSupported, Tokenizer tokenizer) {
    public RenderOptions {
        rules = rules == null || rules.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(rules));
    }

    /** The template as written. */
    public static RenderOptions asWritten() {
        return new RenderOptions(Set.of(), true, null);
    }

    /** All five reframings. */
    public static RenderOptions allRules() {
        return new RenderOptions(EnumSet.allOf(ReframeRule.class), true, null);
    }

    public static RenderOptions of(ReframeRule... rules) {
        return new RenderOptions(rules.length == 0 ? Set.of() : EnumSet.of(rules[0], rules), true, null);
    }

    public boolean has(ReframeRule rule) {
        return rules.contains(rule);
    }

    public RenderOptions withSystemRoleSupported(boolean supported) {
        return new RenderOptions(rules, supported, tokenizer);
    }

    public RenderOptions withTokenizer(Tokenizer t) {
        return new RenderOptions(rules, systemRoleSupported, t);
    }
}
