package dev.quill.chat;

import static dev.quill.chat.TemplateTestSupport.render;
import static dev.quill.chat.TemplateTestSupport.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Statements: if, for with loop variables/else/filters/unpacking, break/continue, recursive loops, set scoping, namespace, macros, call/filter/with blocks, globals. Expected outputs come from Python jinja2 3.1.6 (see {@link TemplateTestSupport}). */
class JinjaStatementTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                row("{% for v in [1, 2, 3] %}{% if v == 1 %}one{% elif v == 2 %}two{% else %}many{% endif %};{% endfor %}",
                        "one;two;many;"),
                row("{% for i in x %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}",
                        "1032TrueFalse3;2121FalseFalse3;3210FalseTrue3;"),
                row("{% for i in x %}[{{ loop.previtem }}|{{ loop.nextitem }}]{% endfor %}",
                        "[|2][1|3][2|]"),
                row("{% for i in [1, 1, 2] %}{{ loop.cycle('a', 'b') }}{{ loop.changed(i) }}{{ loop.depth }}{{ loop.depth0 }}{% endfor %}",
                        "aTrue10bFalse10aTrue10"),
                row("{% for i in [] %}a{% else %}empty{% endfor %}|{% for i in x if i > 1 %}{{ i }}@{{ loop.index }}/{{ loop.length }} {% endfor %}|{% for i in x if i > 5 %}a{% else %}none{% endfor %}",
                        "empty|2@1/2 3@2/2 |none"),
                row("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} {% for k, v in d|items %}{{ k }}{% endfor %} {% for (a, b) in [(1, 2), (3, 4)] %}{{ a + b }}{% endfor %}",
                        "a=1;b=[1, 2]; ab 37"),
                row("{% for k in d %}{{ k }}{% endfor %} {% for c in u %}{{ c }}.{% endfor %}",
                        "ab h.\u00e9.l.l.o.\ud83d\ude00."),
                row("{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}",
                        "0134"),
                row("{% for i in range(3) %}{% for j in range(3) %}{% if j > i %}{% break %}{% endif %}{{ i }}{{ j }} {% endfor %}{% endfor %}",
                        "00 10 11 20 21 22 "),
                row("{% for i in [[1, [2]], 3] recursive %}({{ i if i is number else loop(i) }}@{{ loop.depth }}){% endfor %}",
                        "((1@2)((2@3)@2)@1)(3@1)"),
                row("{% set y = 0 %}{% for i in x %}{% set y = y + i %}{% endfor %}{{ y }}",
                        "0"),
                row("{% set y = 'outer' %}{% for i in [1, 2] %}[{{ y }}]{% set y = i %}{% endfor %}{{ y }}",
                        "[outer][outer]outer"),
                row("{% for i in [1, 2] %}{% if i == 2 %}[{{ y }}]{% endif %}{% set y = i %}{% endfor %}[{{ y }}]",
                        "[][]"),
                row("{% if true %}{% set z = 5 %}{% endif %}{{ z }}",
                        "5"),
                row("{% set ns = namespace(total=0) %}{% for i in x %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.total }}",
                        "6"),
                row("{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}[{{ ns.c }}]{{ ns }}",
                        "12[]<Namespace {'a': 1, 'b': 2}>"),
                row("{% set ns = namespace() %}{% set ns.found = false %}{% for m in msgs %}{% if m.role == 'user' %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.found }}",
                        "True"),
                row("{% set a, b = 1, 2 %}{{ a }}{{ b }} {% set c = 3, 4 %}{{ c }}",
                        "12 (3, 4)"),
                row("{% set block %}  hello {{ s }}  {% endset %}[{{ block }}]",
                        "[  hello hello  ]"),
                row("{% set block | upper | trim %}  hi  {% endset %}[{{ block }}]",
                        "[HI]"),
                row("{% set ns = namespace() %}{% set ns.text %}captured{% endset %}{{ ns.text }}",
                        "captured"),
                row("{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', 'Hi') }} {{ greet(greeting='Yo', name='Cy') }}",
                        "Hello, Ann! Hi, Bob! Yo, Cy!"),
                row("{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k='v') }}",
                        "1(2, 3){'k': 'v'}"),
                row("{% macro m(a, b) %}[{{ a }}|{{ b }}]{% endmacro %}{{ m(1) }}",
                        "[1|]"),
                row("{% macro m(a, b=a * 2) %}{{ b }}{% endmacro %}{{ m(3) }}",
                        "6"),
                row("{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * (fact(n - 1)|int) }}{% endif %}{% endmacro %}{{ fact(5) }}",
                        "120"),
                row("{% macro m() %}{{ late }}{% endmacro %}{% set late = 7 %}{{ m() }}",
                        "7"),
                row("{% macro t(v) %}{{ v|upper }}{% endmacro %}{{ 'list[' + t('x') + ']' }}",
                        "list[X]"),
                row("{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold {{ s }}{% endcall %}",
                        "<b>bold hello</b>"),
                row("{% macro m(x) %}<{{ caller(x) }}>{% endmacro %}{% call(v) m(3) %}got {{ v }}{% endcall %}",
                        "<got 3>"),
                row("{% filter upper %}abc {{ s }}{% endfilter %}",
                        "ABC HELLO"),
                row("{% with q = 1, r = 2 %}{{ q + r }}{% endwith %}[{{ q }}]",
                        "3[]"),
                row("{{ strftime_now('%d %b %Y') }} {{ strftime_now('%Y-%m-%d %H:%M:%S %A %B %j %I%p %a %y %-d %e %%') }}",
                        "27 Nov 2026 2026-11-27 12:00:00 Friday November 331 12PM Fri 26 27 27 %"),
                row("{{ range(3)|list }} {{ range(1, 10, 3)|list }} {{ range(5, 0, -2)|list }} {{ range(3) }} {{ range(0) }}",
                        "[0, 1, 2] [1, 4, 7] [5, 3, 1] range(0, 3) range(0, 0)"),
                row("{{ dict(a=1, b=2) }} {% set j = joiner('|') %}{% for i in x %}{{ j() }}{{ i }}{% endfor %}",
                        "{'a': 1, 'b': 2} 1|2|3"),
                row("{% for m in msgs %}{% set m = m.role %}{{ m }};{% endfor %}",
                        "system;user;assistant;"),
                row("{% for i in [1, 2] %}{% continue %}{% else %}E{% endfor %}|{% for i in [1, 2] %}{% if i == 1 %}{% continue %}{% endif %}{% else %}E{% endfor %}|{% for i in [1] %}{% break %}{% else %}E{% endfor %}",
                        "E||E"),
                row("{% set b %}{% set q = 1 %}{% endset %}[{{ q }}]{% filter upper %}{% set r = 1 %}{% endfilter %}[{{ r }}]",
                        "[][]"),
                row("{% macro m(a) %}{{ a }}{{ kwargs }}{% endmacro %}{% call m(1) %}x{% endcall %} {% macro k() %}[{{ caller }}]{% endmacro %}{{ k() }}",
                        "1{'caller': <Macro anonymous>} []"),
                row("{% block x %}[{{ s }}{% set q = 1 %}]{% endblock %}{{ q }}|{% for i in x %}{% block y %}{{ i }}{% endblock %}{% endfor %}|{% for i in x %}{% block z scoped %}{{ i }}{% endblock z %}{% endfor %}|{% if false %}{% include 'x' %}{% endif %}ok",
                        "[hello]||123|ok"),
                row("{{ [{'r': 'a', 'v': 1}, {'r': 'B', 'v': 2}, {'r': 'b', 'v': 3}]|groupby('r') }} {% for g in [{'r': 'a', 'v': 1}, {'r': 'b', 'v': 3}]|groupby('r') %}{{ g.grouper }}={{ g.list|map(attribute='v')|list }};{{ g[0] }}{% endfor %}",
                        "[('a', [{'r': 'a', 'v': 1}]), ('B', [{'r': 'B', 'v': 2}, {'r': 'b', 'v': 3}])] a=[1];ab=[3];b"),
                row("{% for i in x %}{% set outer = loop %}{% for j in [1] %}{{ outer.index }}{{ loop.index }} {% endfor %}{% endfor %}",
                        "11 21 31 "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersLikeJinja2(String template, String expected) {
        assertEquals(expected, render(template));
    }
}
