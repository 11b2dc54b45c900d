package dev.quill.chat;

import static dev.quill.chat.TemplateTestSupport.render;
import static dev.quill.chat.TemplateTestSupport.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Whitespace control: trim_blocks, lstrip_blocks, "-" and "+" on tags, comments, raw blocks, newline normalization. Expected outputs come from Python jinja2 3.1.6 (see {@link TemplateTestSupport}). */
class JinjaWhitespaceTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                row("a\n{% if true %}\nyes\n{% endif %}\nb",
                        "a\nyes\nb"),
                row("  {% if true %}x{% endif %}  ",
                        "x  "),
                row("a  {%- if true %} b {% endif -%}  c",
                        "a b c"),
                row("{{ 'a' }}  \n  {{- 'b' }}",
                        "ab"),
                row("x {# comment #}\ny",
                        "x y"),
                row("  {# c #}\nz",
                        "z"),
                row("a {#- c -#} b",
                        "ab"),
                row("  {%+ if true %}x{% endif %}",
                        "  x"),
                row("{% if true +%}\nx{% endif %}",
                        "\nx"),
                row("{% raw %}{{ not parsed }}{% if %}{% endraw %}",
                        "{{ not parsed }}{% if %}"),
                row("a\n  {% raw %}\n{{ x }}\n  {% endraw %}\nb",
                        "a\n\n{{ x }}\nb"),
                row("line\n",
                        "line"),
                row("line\n\n",
                        "line\n"),
                row("a\r\nb\rc",
                        "a\nb\nc"),
                row("{% for i in x %}\n  {{ i }}\n{% endfor %}\n",
                        "  1\n  2\n  3\n"),
                row("{{ 'x' }}   {% if true %}y{% endif %}",
                        "x   y"),
                row("a\n    {% if true %}b{% endif %}",
                        "a\nb"),
                row("{%- if true -%}\n\n  x  \n\n{%- endif -%}",
                        "x"),
                row("  {{- ' a ' -}}  ",
                        " a "),
                row("\t{% set y = 1 %}\t\n{{ y }}",
                        "\t\n1"),
                row("{% for m in msgs %}\n    {{- m.role }}:{{ m.content }}\n{% endfor %}",
                        "system:Be nice\nuser:Hi\nassistant:Yo\n"),
                row("{{ {'a': {'b': 1}} }}",
                        "{'a': {'b': 1}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersLikeJinja2(String template, String expected) {
        assertEquals(expected, render(template));
    }
}
