package dev.quill.prompts.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.prompts.InvalidVariableException;
import dev.quill.prompts.RenderLimitException;
import dev.quill.prompts.TemplateRenderException;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SandboxedRendererTest {
    private final SandboxedRenderer renderer = new SandboxedRenderer();

    private String render(String source, Map<String, ?> vars) {
        return renderer.render("t", source, vars);
    }

    @Test
    void rendersVariablesConditionalsAndLoops() {
        String source = """
                Questions about {topic.upper}:
                {#for q in questions}
                {q_count}. {q}{#if q_hasNext};{/if}
                {/for}
                {#if hint}Hint: {hint}{#else}No hint.{/if}
                """;
        String out = render(source, Map.of("topic", "rivers", "questions", List.of("How long?", "How deep?"), "hint", ""));
        assertEquals("Questions about RIVERS:\n1. How long?;\n2. How deep?\nNo hint.\n", out);
    }

    @Test
    void mapsNumbersAndLetWork() {
        String out = render("{#let n=count}{#if n > 2}{user.name} has {n + 1}{/if}{/let} {#when level}{#is 3}three{/when}",
                Map.of("count", 3L, "user", Map.of("name", "Ana"), "level", 3L));
        assertEquals("Ana has 4 three", out);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{name.getClass}",
            "{name.getClass().getClassLoader()}",
            "{name.class.name}",
            "{name.bytes}",
            "{inject:bean}",
            "{cdi:bean}",
            "{config:quarkus.http.port}",
            "{config:['java.home']}",
            "{str:concat('a','b')}",
            "{java.lang.System:getenv('HOME')}",
            "{env:HOME}",
            "{items.getClass}",
            "{items.toArray}",
            "{#include other /}",
            "{#insert x}{/insert}",
            "{#eval name /}",
            "{#fragment id=f}x{/fragment}",
            "{undeclared}"})
    void javaObjectsConfigEnvironmentAndOtherTemplatesAreOutOfReach(String source) {
        TemplateRenderException e = assertThrows(TemplateRenderException.class,
                () -> render(source, Map.of("name", "Ann", "items", List.of("a"))));
        assertTrue(e.getMessage().startsWith("template t"), e.getMessage());
    }

    @Test
    void arbitraryJavaObjectsCannotBeGivenAsVariables() {
        InvalidVariableException e = assertThrows(InvalidVariableException.class,
                () -> render("{f}", Map.of("f", new File("/etc/passwd"))));
        assertEquals("f", e.variable());
        assertTrue(e.getMessage().contains("allowed are string, number, boolean, list and map"), e.getMessage());
        assertThrows(InvalidVariableException.class, () -> render("{m.x}", Map.of("m", Map.of("x", Thread.currentThread()))));
    }

    @Test
    void loopsOverNumbersAreRefused() {
        // Qute alone would count to two billion and allocate a list that size first.
        TemplateRenderException e = assertThrows(TemplateRenderException.class, () -> render("{#for i in 2000000000}x{/for}", Map.of()));
        assertTrue(e.getMessage().contains("only go over a list or a map"), e.getMessage());
        assertThrows(TemplateRenderException.class, () -> render("{#for i in n}x{/for}", Map.of("n", 5)));
    }

    @Test
    void nestedLoopsCountAgainstOneIterationBudget() {
        SandboxedRenderer small = new SandboxedRenderer(RenderLimits.defaults().withMaxLoopIterations(50));
        List<Integer> ten = List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        // 10 outer + 10 inner = 20 fit; 10 outer + 100 inner do not.
        assertEquals(10, small.render("t", "{#for a in xs}{#for b in ys}x{/for}{/for}", Map.of("xs", ten, "ys", List.of(1))).length());
        RenderLimitException e = assertThrows(RenderLimitException.class,
                () -> small.render("t", "{#for a in xs}{#for b in xs}x{/for}{/for}", Map.of("xs", ten)));
        assertEquals("loop_iterations", e.limit());
    }

    @Test
    void outputSizeIsLimited() {
        SandboxedRenderer small = new SandboxedRenderer(RenderLimits.defaults().withMaxOutputChars(100));
        String big = "x".repeat(30);
        assertEquals(90, small.render("t", "{s}{s}{s}", Map.of("s", big)).length());
        RenderLimitException e = assertThrows(RenderLimitException.class, () -> small.render("t", "{s}{s}{s}{s}", Map.of("s", big)));
        assertEquals("output_chars", e.limit());
    }

    @Test
    void timeIsLimited() {
        SandboxedRenderer quick = new SandboxedRenderer(RenderLimits.defaults().withTimeout(Duration.ofMillis(1)).withMaxLoopIterations(5_000_000));
        List<Integer> many = java.util.stream.IntStream.range(0, 2000).boxed().toList();
        RenderLimitException e = assertThrows(RenderLimitException.class,
                () -> quick.render("t", "{#for a in xs}{#for b in xs}{a}{/for}{/for}", Map.of("xs", many)));
        assertTrue(e.limit().equals("time") || e.limit().equals("output_chars"), e.limit());
    }

    @Test
    void templateSizeAndNestingAreLimited() {
        String deep = "{#if x}".repeat(40) + "y" + "{/if}".repeat(40);
        assertEquals("nesting", assertThrows(RenderLimitException.class, () -> render(deep, Map.of("x", true))).limit());
        String huge = "a".repeat(RenderLimits.defaults().maxTemplateChars() + 1);
        assertEquals("template_chars", assertThrows(RenderLimitException.class, () -> render(huge, Map.of())).limit());
    }

    @Test
    void syntaxErrorsNameTheLine() {
        TemplateRenderException e = assertThrows(TemplateRenderException.class, () -> render("line one\n{#if x}\nunclosed", Map.of("x", true)));
        assertTrue(e.getMessage().startsWith("template t"), e.getMessage());
        assertTrue(e.line() > 0, e.getMessage());
    }
}
