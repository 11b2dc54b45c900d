package dev.quill.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The public surface: compiling, rendering conversations, errors, clock, fallback template. */
class ChatTemplateApiTest {
    private static final List<ChatMessage> CONVERSATION = List.of(
            ChatMessage.system("Be brief."), ChatMessage.user("Hi"), ChatMessage.assistant("Hello"), ChatMessage.user("Bye"));

    @Test
    void fallbackIsChatMl() {
        String rendered = ChatTemplates.fallback().renderChat(CONVERSATION, true, "<s>", "</s>", Map.of());
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
                + "<|im_start|>assistant\nHello<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n",
                rendered);
        assertEquals("<|im_start|>user\nHi<|im_end|>\n",
                ChatTemplates.fallback().renderChat(List.of(ChatMessage.user("Hi")), false, "", "", null));
    }

    @Test
    void modelsWithoutTemplateGetTheFallback() {
        assertSame(ChatTemplates.fallback(), ChatTemplates.forModel(null));
        assertSame(ChatTemplates.fallback(), ChatTemplates.forModel("  \n"));
        assertEquals("x", ChatTemplates.forModel("{{ 'x' }}").render(Map.of()));
    }

    @Test
    void renderChatPassesTheHuggingFaceVariables() {
        ChatTemplate t = ChatTemplate.compile("{{ bos_token }}{% for m in messages %}[{{ m.role }}:{{ m['content'] }}]"
                + "{% endfor %}{{ add_generation_prompt }}{{ eos_token }}{{ tools|length }}");
        assertEquals("<s>[system:Be brief.][user:Hi][assistant:Hello][user:Bye]False</s>2",
                t.renderChat(CONVERSATION, false, "<s>", "</s>", Map.of("tools", List.of(Map.of("a", 1), Map.of("b", 2)))));
    }

    @Test
    void extraVariablesCannotReplaceTheConversation() {
        ChatTemplate t = ChatTemplate.compile("{{ messages }}");
        assertThrows(IllegalArgumentException.class,
                () -> t.renderChat(CONVERSATION, false, "", "", Map.of("messages", List.of())));
    }

    @Test
    void nullContentIsNone() {
        ChatTemplate t = ChatTemplate.compile("{{ messages[0].content is none }} {{ messages[0].content }}");
        assertEquals("True None", t.renderChat(List.of(new ChatMessage("assistant", null)), false, "", "", Map.of()));
    }

    @Test
    void raiseExceptionCarriesTheTemplateMessageVerbatim() {
        ChatTemplate t = ChatTemplate.compile("line one\n{% if messages[0].role == 'system' %}"
                + "{{ raise_exception('System role not supported') }}{% endif %}");
        TemplateRaisedException e = assertThrows(TemplateRaisedException.class,
                () -> t.renderChat(CONVERSATION, true, "", "", Map.of()));
        assertEquals("System role not supported", e.getMessage());
    }

    @Test
    void strftimeNowReadsTheInjectedClock() {
        ChatTemplate t = ChatTemplate.compile("{{ strftime_now('%d %b %Y %H:%M') }}");
        Instant instant = Instant.parse("2026-11-27T12:00:00Z");
        assertEquals("27 Nov 2026 12:00", t.withClock(Clock.fixed(instant, ZoneOffset.UTC)).render(Map.of()));
        // Python's datetime.now() is local time: the clock's zone decides the date.
        assertEquals("28 Nov 2026 01:00", t.withClock(Clock.fixed(instant, ZoneId.of("Pacific/Auckland"))).render(Map.of()));
        assertEquals("Friday, November 27 2026 (day 331) 12PM 11/27/26",
                ChatTemplate.compile("{{ strftime_now('%A, %B %-d %Y (day %j) %I%p %m/%d/%y') }}")
                        .withClock(Clock.fixed(instant, ZoneOffset.UTC)).render(Map.of()));
    }

    @Test
    void syntaxErrorsNameTheLine() {
        TemplateException unclosed = assertThrows(TemplateException.class,
                () -> ChatTemplate.compile("a\n{# note\nspanning #}\n{% if x %}\nbody"));
        assertTrue(unclosed.getMessage().contains("Unexpected end of template"), unclosed.getMessage());
        assertTrue(unclosed.getMessage().contains("'endif'"), unclosed.getMessage());
        assertEquals(5, unclosed.line());

        TemplateException stray = assertThrows(TemplateException.class,
                () -> ChatTemplate.compile("{% for x in y %}\n{% endif %}\n{% endfor %}"));
        assertTrue(stray.getMessage().contains("Encountered unknown tag 'endif'"), stray.getMessage());
        assertTrue(stray.getMessage().contains("'endfor'"), stray.getMessage());
        assertEquals(2, stray.line());

        assertEquals(3, assertThrows(TemplateException.class, () -> ChatTemplate.compile("\n\n{{ x ")).line());
        assertEquals(2, assertThrows(TemplateException.class, () -> ChatTemplate.compile("ok\n{{ 'open }}")).line());
        assertEquals(1, assertThrows(TemplateException.class, () -> ChatTemplate.compile("{{ 1 + }}")).line());
        assertTrue(assertThrows(TemplateException.class, () -> ChatTemplate.compile("{% break %}"))
                .getMessage().contains("'break' outside loop"));
        assertTrue(assertThrows(TemplateException.class, () -> ChatTemplate.compile("{% frobnicate %}"))
                .getMessage().contains("Encountered unknown tag 'frobnicate'"));
        assertTrue(assertThrows(TemplateException.class, () -> ChatTemplate.compile("{% do x.append(1) %}"))
                .getMessage().contains("Encountered unknown tag 'do'"), "the do extension is off in Hugging Face's environment");
        assertTrue(assertThrows(TemplateException.class, () -> ChatTemplate.compile("{{ (1, ] }}"))
                .getMessage().contains("unexpected ']'"));
    }

    @Test
    void runtimeErrorsNameTheInnermostLine() {
        ChatTemplate t = ChatTemplate.compile("{% macro m(v) %}\n{{ v + 1 }}\n{% endmacro %}\n\n{{ m('a') }}");
        TemplateException e = assertThrows(TemplateException.class, () -> t.render(Map.of()));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("can only concatenate str (not \"int\") to str"), e.getMessage());
    }

    @Test
    void generationMarkersOfHuggingFaceRenderTheirBody() {
        assertEquals("A:hi", ChatTemplate.compile("A:{% generation %}{{ 'hi' }}{% endgeneration %}").render(Map.of()));
    }

    @Test
    void contextVariablesShadowGlobals() {
        assertEquals("mine", ChatTemplate.compile("{{ strftime_now }}").render(Map.of("strftime_now", "mine")));
        assertEquals("True", ChatTemplate.compile("{{ strftime_now is defined }}").render(Map.of()));
    }

    @Test
    void compiledTemplatesAreSharedSafelyAcrossThreads() {
        ChatTemplate t = ChatTemplate.compile("{% set ns = namespace(n=0) %}{% for m in messages %}"
                + "{% set ns.n = ns.n + m.content|length %}{% endfor %}{{ ns.n }}");
        List<String> results = IntStream.range(0, 64).parallel()
                .mapToObj(i -> t.renderChat(List.of(ChatMessage.user("x".repeat(i))), false, "", "", Map.of()))
                .toList();
        for (int i = 0; i < 64; i++) {
            assertEquals(Integer.toString(i), results.get(i));
        }
    }
}
