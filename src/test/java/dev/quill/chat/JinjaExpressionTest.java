package dev.quill.chat;

import static dev.quill.chat.TemplateTestSupport.render;
import static dev.quill.chat.TemplateTestSupport.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Expressions: literals, operator precedence quirks, Python arithmetic and printing, comparisons, slicing, str/dict/list methods, tests, generators and Markup. Expected outputs come from Python jinja2 3.1.6 (see {@link TemplateTestSupport}). */
class JinjaExpressionTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                row("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 10 - 2 - 3 }}",
                        "7 9 5"),
                row("{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 7 / 2 }} {{ 6 / 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }}",
                        "3 -4 2 -2 3.5 3.0 1024 0.5 3.0 0.5"),
                row("{{ -2 ** 2 }} {{ 2 ** 3 ** 2 }} {{ 1 + 2 is number }} {{ -1|abs }} {{ - -3 }} {{ +4 }}",
                        "4 64 2 1 3 4"),
                row("{{ 'a' ~ 1 ~ none ~ true ~ 1.5 }} {{ 'ab' * 3 }} {{ 3 * 'ab' }} {{ [1] * 2 }} {{ [1] + [2] }} {{ 'a' + 'b' }} {{ (1,) + (2,) }}",
                        "a1NoneTrue1.5 ababab ababab [1, 1] [1, 2] ab (1, 2)"),
                row("{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1.0 }} {{ true == 1 }} {{ '1' == 1 }} {{ none == none }} {{ [1,2] == [1,2] }} {{ (1,2) == [1,2] }} {{ 'b' > 'a' }} {{ [1, 2] < [1, 3] }} {{ d == {'b': [1, 2], 'a': 1} }}",
                        "True False True True False True True False True True True"),
                row("{{ 'ell' in s }} {{ 2 in x }} {{ 'a' in d }} {{ 'z' not in d }} {{ 5 not in x }} {{ 1.0 in x }}",
                        "True True True True True True"),
                row("{{ not true }} {{ not none }} {{ true and 'yes' }} {{ 0 or 'fallback' }} [{{ '' and 'x' }}] {{ none or false }} {{ not 1 == 2 }}",
                        "False True yes fallback [] False True"),
                row("{{ 'yes' if t else 'no' }} {{ 'yes' if n else 'no' }} [{{ 'x' if false }}] {{ 1 if false else 2 if false else 3 }}",
                        "yes no [] 3"),
                row("{{ [1, 'a', none, true, 1.5, {'k': 'v\\n'}, ('t',)] }}",
                        "[1, 'a', None, True, 1.5, {'k': 'v\\n'}, ('t',)]"),
                row("{{ (1, 2) }} {{ () }} {{ (1,) }} {{ {} }} {{ [] }} {{ [1, 2,] }} {{ {'a': 1,} }}",
                        "(1, 2) () (1,) {} [] [1, 2] {'a': 1}"),
                row("{{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1_000 }} {{ 1e3 }} {{ 1.5e-7 }} {{ 2.5E2 }}",
                        "31 15 5 1000 1000.0 1.5e-07 250.0"),
                row("{{ 'it\\'s' }} {{ \"quote\\\"d\" }} {{ '\\u00e9\\x41\\t|' }} {{ 'a' 'b' }} {{ '\\d' }}",
                        "it's quote\"d \u00e9A\t| ab \\d"),
                row("{{ True }} {{ False }} {{ None }} {{ true }} {{ none }}",
                        "True False None True None"),
                row("{{ 0.1 + 0.2 }} {{ 1e16 }} {{ 1e15 }} {{ 0.0001 }} {{ 0.00001 }} {{ 1/3 }} {{ 2.0 }} {{ -0.0 }} {{ 1e300 * 1e10 }} {{ 123456789.0 * 1000 }} {{ 5e-324 }} {{ 1.7976931348623157e308 }} {{ 100.0 }}",
                        "0.30000000000000004 1e+16 1000000000000000.0 0.0001 1e-05 0.3333333333333333 2.0 -0.0 inf 123456789000.0 5e-324 1.7976931348623157e+308 100.0"),
                row("{{ n }} {{ t }} {{ d }} {{ x }} {{ s }} {{ msgs[0] }}",
                        "None True {'a': 1, 'b': [1, 2]} [1, 2, 3] hello {'role': 'system', 'content': 'Be nice'}"),
                row("{{ [\"it's\", 'a\"b', 'both\\'\"', '\\n\\x00\\u200b\\xa0\u00e9\ud83d\ude00'] }}",
                        "[\"it's\", 'a\"b', 'both\\'\"', '\\n\\x00\\u200b\\xa0\u00e9\ud83d\ude00']"),
                row("{{ d.a }} {{ d['a'] }} {{ d.b[1] }} {{ x.0 }} {{ msgs[1].role }} {{ msgs[-1]['content'] }} {{ d.b.1 }}",
                        "1 1 2 1 user Yo 2"),
                row("{{ x[::-1] }} {{ x[1:] }} {{ x[:-1] }} {{ s[1:3] }} {{ s[-2:] }} {{ s[::2] }} {{ x[5:] }} {{ u[::-1] }} {{ u[-1] }} {{ u|length }} {{ x[-10:2] }} {{ s[10:] }}|",
                        "[3, 2, 1] [2, 3] [1, 2] el lo hlo [] \ud83d\ude00oll\u00e9h \ud83d\ude00 6 [1, 2] |"),
                row("{{ ' a b '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ ' a '.lstrip() }}|{{ ' a '.rstrip() }}|",
                        "a b|a|a | a|"),
                row("{{ 'a,b,,c'.split(',') }} {{ '  a  b '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ 'a\\nb\\r\\nc'.splitlines() }} {{ 'a b  '.split(None, 1) }}",
                        "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c'] ['a,b', 'c'] ['a', 'b', 'c'] ['a', 'b  ']"),
                row("{{ s.upper() }} {{ 'ABC'.lower() }} {{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ \"they're\".title() }}",
                        "HELLO abc Hello World Hello They'Re"),
                row("{{ s.startswith('he') }} {{ s.endswith(('x', 'lo')) }} {{ s.replace('l', 'L') }} {{ s.replace('l', 'L', 1) }} {{ s.find('l') }} {{ s.rfind('l') }} {{ s.find('z') }} {{ s.count('l') }} {{ u.find('o') }}",
                        "True True heLLo heLlo 2 3 -1 2 4"),
                row("{{ '-'.join(['a', 'b']) }} {{ '{} and {name}'.format(1, name='n') }} {{ '{:>5}|{:<5}|{:^5}|{:05.1f}|{:,}|{:.2%}'.format('a', 'b', 'c', 3.14159, 1234567, 0.5) }}",
                        "a-b 1 and n     a|b    |  c  |003.1|1,234,567|50.00%"),
                row("{{ d.get('a') }} {{ d.get('z', 5) }} {{ d.get('z') }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }}",
                        "1 5 None ['a', 'b'] [1, [1, 2]] [('a', 1), ('b', [1, 2])]"),
                row("{{ x.index(2) }} {{ x.count(1) }} {{ '%s is %d' % ('a', 3) }} {{ '%05.2f' % 3.14159 }} {{ '%(k)s' % {'k': 'v'} }} {{ '%-4s|%4s|%x' % ('a', 'b', 255) }}",
                        "1 1 a is 3 03.14 v a   |   b|ff"),
                row("{{ x is iterable }} {{ s is string }} {{ d is mapping }} {{ 1 is number }} {{ true is number }} {{ 1 is integer }} {{ true is integer }} {{ 1.0 is float }} {{ none is none }} {{ t is boolean }} {{ t is true }} {{ 1 is true }} {{ n is false }}",
                        "True True True True True True False True True True True False False"),
                row("{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 1 is eq 1 }} {{ 1 is equalto(2) }} {{ 2 is gt 1 }} {{ 2 is in(x) }} {{ s is lower }} {{ 'AB' is upper }} {{ none is sameas none }}",
                        "True True True False True False True True True True True"),
                row("{{ 'yes' if x|select('gt', 5) else 'no' }} {{ (x|select('odd'))[0] is undefined }} {% set g = x|map('string') %}{{ g|join }}|{{ g|join }}| {{ x|reverse|list }} {{ d.items() }} {{ d.keys() }} {{ d.values()|list }} {{ d.keys()|length }} {{ 'a' in d.keys() }} {{ range(3) }} {{ range(3) == [0, 1, 2] }} {{ x|select is iterable }} {{ x|select is sequence }}",
                        "yes True 123|| [3, 2, 1] dict_items([('a', 1), ('b', [1, 2])]) dict_keys(['a', 'b']) [1, [1, 2]] 2 True range(0, 3) False True False"),
                row("{{ '<a>'|safe + '<b>' }}|{{ '<b>' + '<a>'|safe }}|{{ ('<a>'|safe) * 2 }}|{{ '%s<'|safe % '<x>' }}|{{ '<a>'|safe|trim + '<' }}|{{ '<a>'|e }}|{{ '<a>'|safe|e }}|{{ '<a>'|safe|forceescape }}|{{ ['<a>'|safe] }}|{{ '<a>'|safe is string }}|{{ '<a>'|safe ~ '<b>' }}|{{ '<a>'|safe|tojson }}|{{ '<a>'|escape is escaped }}|{{ '<a>' is escaped }}|{{ '%s'|safe|format('<') }}",
                        "<a>&lt;b&gt;|&lt;b&gt;<a>|<a><a>|&lt;x&gt;<|<a>&lt;|&lt;a&gt;|<a>|&lt;a&gt;|[Markup('<a>')]|True|<a><b>|\"<a>\"|True|False|&lt;"),
                row("{{ -2 ** 2 }} {{ -2 ** (t|int) }} {{ (1 - 3) ** (x|length - 1) }} {{ (-2) ** (x|length - 1) }} {{ -f ** 2 }} {{ -2.5 ** (x|length - 1) }}",
                        "4 -2 -4 -4 6.25 -6.25"),
                row("{{ 1 // 0.1 }} {{ -1 // 0.1 }} {{ 7.5 % -2 }} {{ -0.0 % 1 }} {{ 'x%sy' % [1] }} {{ 'abc' % [] }} {{ 'v' % missing }}|{{ '%s' % missing }}|",
                        "9.0 -10.0 -0.5 0.0 x[1]y abc v||"),
                row("{{ 'upper' is filter }} {{ 'odd' is test }} {{ undefinedvar is undefined }} {{ d.zz is defined }} {{ 'abc' is sequence }} {{ d is sequence }} {{ 1 is sequence }} {{ s is not string }} {{ x is not mapping and x is iterable }}",
                        "True True True False True True False False True"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersLikeJinja2(String template, String expected) {
        assertEquals(expected, render(template));
    }
}
