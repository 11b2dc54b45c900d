package dev.quill.chat;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Shared fixtures for the language tests. Expected outputs in those tests were produced by Python
 * jinja2 3.1.6 in transformers' configuration (ImmutableSandboxedEnvironment, trim_blocks,
 * lstrip_blocks, loopcontrols, HF's tojson) with exactly this context.
 */
final class TemplateTestSupport {
    private TemplateTestSupport() {
    }

    static Map<String, Object> context() {
        Map<String, Object> ctx = new HashMap<>();
        ctx.put("x", List.of(1, 2, 3));
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("a", 1);
        d.put("b", List.of(1, 2));
        ctx.put("d", d);
        ctx.put("s", "hello");
        ctx.put("n", null);
        ctx.put("t", true);
        ctx.put("msgs", List.of(message("system", "Be nice"), message("user", "Hi"), message("assistant", "Yo")));
        ctx.put("u", "héllo😀");
        ctx.put("f", 2.5);
        ctx.put("words", List.of("b", "A", "c", "a"));
        return ctx;
    }

    /** Insertion-ordered, since printing and tojson show dict keys in order. */
    static Map<String, Object> message(String role, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    static String render(String template) {
        return ChatTemplate.compile(template).withClock(ChatTemplateConformanceTest.REFERENCE_CLOCK).render(context());
    }

    static Arguments row(String template, String expected) {
        return Arguments.of(template, expected);
    }
}
