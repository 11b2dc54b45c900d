package dev.quill.chat;

import static dev.quill.chat.TemplateTestSupport.context;
import static dev.quill.chat.TemplateTestSupport.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Templates are untrusted model data: they must stay inside their data and inside the limits. */
@Timeout(30)
class TemplateSandboxTest {

    private static TemplateException failure(String template) {
        return assertThrows(TemplateException.class, () -> render(template));
    }

    private static void assertMessageContains(TemplateException e, String fragment) {
        assertTrue(e.getMessage().contains(fragment), () -> "message: " + e.getMessage());
    }

    @Test
    void nestedHugeLoopsHitTheIterationLimit() {
        assertMessageContains(failure("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"),
                "loop iterations");
    }

    @Test
    void rangesAreCappedLikeJinja2Sandbox() {
        assertMessageContains(failure("{% for i in range(1000000000) %}{% endfor %}"), "Range too big");
    }

    @Test
    void slowTemplatesHitTheTimeLimit() {
        ChatTemplate t = ChatTemplate.compile("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
                .withLimits(new TemplateLimits(1_000_000, Long.MAX_VALUE, 64, Duration.ofMillis(100)));
        long start = System.nanoTime();
        TemplateException e = assertThrows(TemplateException.class, () -> t.render(Map.of()));
        assertMessageContains(e, "time limit");
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "stopped promptly");
    }

    @Test
    void outputIsCapped() {
        ChatTemplate t = ChatTemplate.compile("{% for i in range(1000) %}0123456789{% endfor %}");
        TemplateLimits tooSmall = new TemplateLimits(9_999, 1_000_000, 64, Duration.ofSeconds(5));
        assertMessageContains(assertThrows(TemplateException.class, () -> t.withLimits(tooSmall).render(Map.of())),
                "exceeded the limit of 9999");
        TemplateLimits exact = new TemplateLimits(10_000, 1_000_000, 64, Duration.ofSeconds(5));
        assertEquals(10_000, t.withLimits(exact).render(Map.of()).length());
    }

    @Test
    void hugeStringsAreRefusedBeforeTheyAreBuilt() {
        assertMessageContains(failure("{{ 'a' * 1000000000 }}"), "exceeded the limit");
        assertMessageContains(failure("{{ [1] * 1000000000 }}"), "exceeded the limit");
        assertMessageContains(failure("{{ '{:>1000000000}'.format(1) }}"), "exceeded the limit");
        assertMessageContains(failure("{{ 'x'|center(1000000000) }}"), "exceeded the limit");
        assertMessageContains(failure("{{ 'x'|indent(1000000000, true) }}"), "exceeded the limit");
    }

    @Test
    void repeatedDoublingIsStopped() {
        assertMessageContains(failure("{% set ns = namespace(s='ab') %}{% for i in range(60) %}"
                + "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}"), "exceeded the limit");
    }

    @Test
    void macroRecursionIsBounded() {
        assertMessageContains(failure("{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}"), "call depth");
    }

    @Test
    void deeplyNestedSourceFailsCleanly() {
        String deep = "{{ " + "(".repeat(5000) + "1" + ")".repeat(5000) + " }}";
        assertMessageContains(assertThrows(TemplateException.class, () -> ChatTemplate.compile(deep)), "nesting too deep");
        String deepBlocks = "{% if true %}".repeat(5000) + "{% endif %}".repeat(5000);
        assertThrows(TemplateException.class, () -> ChatTemplate.compile(deepBlocks));
    }

    @Test
    void javaMethodsAreNotReachable() {
        assertMessageContains(failure("{{ msgs.getClass() }}"), "'list object' has no attribute 'getClass'");
        assertMessageContains(failure("{{ s.getBytes() }}"), "'str object' has no attribute 'getBytes'");
        assertMessageContains(failure("{{ d.hashCode() }}"), "'dict object' has no attribute 'hashCode'");
        assertMessageContains(failure("{{ x.toString() }}"), "has no attribute 'toString'");
        assertMessageContains(failure("{{ range.getClass() }}"), "has no attribute 'getClass'");
        assertMessageContains(failure("{{ raise_exception.getClass() }}"), "has no attribute 'getClass'");
    }

    @Test
    void pythonIntrospectionIsUnsafeAndPrintsNothing() {
        // Jinja2's sandbox returns an unsafe undefined: empty when printed, an error when used.
        assertEquals("||", render("{{ ''.__class__ }}|{{ d.__dict__ }}|{{ x.__len__ }}"));
        assertMessageContains(failure("{{ ''.__class__.__mro__ }}"), "access to attribute '__class__' of 'str' object is unsafe");
        assertMessageContains(failure("{{ ''.__class__() }}"), "unsafe");
        assertMessageContains(failure("{{ msgs.__getitem__(0) }}"), "unsafe");
    }

    @Test
    void mutatingMethodsAreRefusedAndCallerDataIsUntouched() {
        List<Object> items = new ArrayList<>(List.of("a"));
        ChatTemplate t = ChatTemplate.compile("{{ items.append('b') }}");
        TemplateException e = assertThrows(TemplateException.class, () -> t.render(Map.of("items", items)));
        assertMessageContains(e, "access to attribute 'append' of 'list' object is unsafe.");
        assertEquals(List.of("a"), items);
        assertMessageContains(failure("{{ d.pop('a') }}"), "unsafe");
        assertMessageContains(failure("{{ d.setdefault('z', 1) }}"), "unsafe");
    }

    @Test
    void arbitraryJavaObjectsCannotEnterTheContext() {
        ChatTemplate t = ChatTemplate.compile("{{ thing }}");
        assertThrows(IllegalArgumentException.class, () -> t.render(Map.of("thing", new Object())));
        assertThrows(IllegalArgumentException.class, () -> t.render(Map.of("thing", Thread.currentThread())));
        assertThrows(IllegalArgumentException.class, () -> t.render(Map.of("thing", List.of(Map.of("k", new StringBuilder[0][0].getClass())))));
    }

    @Test
    void cyclicNamespacesPrintLikePython() {
        assertEquals("<Namespace {'me': <Namespace {...}>}>",
                render("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}"));
    }

    @Test
    void contextIsCopiedIntoPlainValues() {
        Map<String, Object> ctx = context();
        ctx.put("chars", new char[] {'h', 'i'});
        ctx.put("ints", new int[] {1, 2});
        assertEquals("['h', 'i'] [1, 2] 3", ChatTemplate.compile("{{ chars }} {{ ints }} {{ ints|sum }}").render(ctx));
    }
}
