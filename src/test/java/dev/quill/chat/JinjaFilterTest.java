package dev.quill.chat;

import static dev.quill.chat.TemplateTestSupport.render;
import static dev.quill.chat.TemplateTestSupport.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Built-in filters and Hugging Face's tojson (json.dumps with ensure_ascii=False). Expected outputs come from Python jinja2 3.1.6 (see {@link TemplateTestSupport}). */
class JinjaFilterTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                row("{{ '  x  '|trim }}|{{ 'xxyxx'|trim('x') }}|{{ s|upper }} {{ 'ABC'|lower }} {{ 'hello world-wide (x)'|title }} {{ 'hELLO wORLD'|capitalize }}",
                        "x|y|HELLO abc Hello World-Wide (X) Hello world"),
                row("{{ x|length }} {{ s|count }} {{ d|length }} {{ x|first }} {{ x|last }} {{ s|first }} [{{ []|first }}] {{ x|join(', ') }} {{ x|join }} {{ msgs|join(',', attribute='role') }}",
                        "3 5 2 1 3 h [] 1, 2, 3 123 system,user,assistant"),
                row("{{ n|default('dflt') }} {{ undefinedvar|default('dflt') }} {{ undefinedvar|d('dd') }} {{ ''|default('e', true) }} [{{ ''|default('e') }}] {{ n|default('x', boolean=true) }}",
                        "None dflt dd e [] x"),
                row("{{ s|replace('l', 'L') }} {{ 'aaa'|replace('a', 'b', 2) }} {{ x|string }} {{ '42'|int + 1 }} {{ '3.7'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ 3.9|int }} {{ '0x1A'|int(0, 16) }} {{ ' 12 '|int }} {{ '1e3'|float }} {{ 'abc'|float }} {{ 2|float }} {{ none|int }}",
                        "heLLo bba [1, 2, 3] 43 3 0 7 3 26 12 1000.0 0.0 2.0 0"),
                row("{{ d|items|list }} {{ d|dictsort }} {{ {'b': 1, 'a': 2}|dictsort(by='value') }} {{ {'B': 1, 'a': 2}|dictsort }} {{ {'B': 1, 'a': 2}|dictsort(true) }}",
                        "[('a', 1), ('b', [1, 2])] [('a', 1), ('b', [1, 2])] [('b', 1), ('a', 2)] [('a', 2), ('B', 1)] [('B', 1), ('a', 2)]"),
                row("{{ msgs|selectattr('role', 'equalto', 'user')|list }} {{ msgs|rejectattr('role', 'eq', 'user')|map(attribute='role')|list }} {{ x|select('odd')|list }} {{ x|reject('odd')|list }} {{ [0, 1, '', 'a', none]|select|list }} {{ msgs|selectattr('missing')|list }} {{ x|select('gt', 1)|list }}",
                        "[{'role': 'user', 'content': 'Hi'}] ['system', 'assistant'] [1, 3] [2] [1, 'a'] [] [2, 3]"),
                row("{{ x|map('string')|list }} {{ ['a', 'b']|map('upper')|join }} {{ msgs|map(attribute='nope', default='?')|list }} {{ [[1, 2], [3]]|map('length')|list }} {{ x|map('round', 1)|list }}",
                        "['1', '2', '3'] AB ['?', '?', '?'] [2, 1] [1, 2, 3]"),
                row("{{ [3, 1, 2]|sort }} {{ [3, 1, 2]|sort(reverse=true) }} {{ words|sort }} {{ words|sort(case_sensitive=true) }} {{ msgs|sort(attribute='role')|map(attribute='role')|list }} {{ words|unique|list }} {{ words|unique(case_sensitive=true)|list }}",
                        "[1, 2, 3] [3, 2, 1] ['A', 'a', 'b', 'c'] ['A', 'a', 'b', 'c'] ['assistant', 'system', 'user'] ['b', 'A', 'c'] ['b', 'A', 'c', 'a']"),
                row("{{ x|reverse|list }} {{ s|reverse }} {{ x|sum }} {{ x|sum(start=10) }} {{ x|max }} {{ x|min }} {{ words|max }} {{ [-3]|first|abs }} {{ 2.5|round }} {{ 3.5|round }} {{ 3.14159|round(2) }} {{ 2.7|round(0, 'floor') }} {{ 2.1|round(0, 'ceil') }} {{ 7|round }} {{ 2.675|round(2) }}",
                        "[3, 2, 1] olleh 6 16 3 1 c 3 2.0 4.0 3.14 2.0 3.0 7 2.67"),
                row("{{ 'a\\nb\\n\\nc'|indent }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent(2, blank=true) }}|{{ 'a\\nb'|indent('> ') }}|{{ 'a\\nb\\n'|indent(2) }}|",
                        "a\n    b\n\n    c|  a\n  b|a\n  \n  b|a\n> b|a\n  b\n|"),
                row("{{ 'one two  three'|wordcount }} {{ 'foo bar baz qux'|truncate(9) }} {{ 'foo bar baz qux'|truncate(9, true) }} {{ 'foo bar baz qux'|truncate(11) }} {{ s|center(11) }}| {{ '<a href=\"x\">&\\''|escape }} {{ '%s-%s'|format('a', 1) }} {{ x|batch(2)|list }} {{ x|list }} {{ s|list }} {{ 'ab'|safe }}",
                        "3 foo... foo ba... foo bar baz qux    hello   | &lt;a href=&#34;x&#34;&gt;&amp;&#39; a-1 [[1, 2], [3]] [1, 2, 3] ['h', 'e', 'l', 'l', 'o'] ab"),
                row("{{ d|tojson }}",
                        "{\"a\": 1, \"b\": [1, 2]}"),
                row("{{ d|tojson(indent=2) }}",
                        "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ]\n}"),
                row("{{ '\u00e9\\n\"<>&\\u0001\\t\\\\/\\x7f'|tojson }}",
                        "\"\u00e9\\n\\\"<>&\\u0001\\t\\\\/\u007f\""),
                row("{{ {'b': 1, 'a': [true, none, 1.5, 'x']}|tojson(sort_keys=true) }}",
                        "{\"a\": [true, null, 1.5, \"x\"], \"b\": 1}"),
                row("{{ x|tojson(separators=(',', ':')) }} {{ {'a': 1}|tojson(separators=(',', '=')) }}",
                        "[1,2,3] {\"a\"=1}"),
                row("{{ {'k': [], 'm': {}}|tojson(indent=4) }}",
                        "{\n    \"k\": [],\n    \"m\": {}\n}"),
                row("{{ '\u00e9\ud83d\ude00\\u2028'|tojson(ensure_ascii=true) }} {{ '\u00e9\ud83d\ude00'|tojson }}",
                        "\"\\u00e9\\ud83d\\ude00\\u2028\" \"\u00e9\ud83d\ude00\""),
                row("{{ (1, 2)|tojson }} {{ {1: 'a', none: 'b', true: 'c', 2.5: 'd'}|tojson }} {{ 1e20|tojson }} {{ 10|tojson }} {{ 0.5|tojson }} {{ none|tojson }} {{ 'x'|tojson }}",
                        "[1, 2] {\"1\": \"c\", \"null\": \"b\", \"2.5\": \"d\"} 1e+20 10 0.5 null \"x\""),
                row("{{ d|tojson(indent='\\t') }} {{ [1]|tojson(indent=0) }}",
                        "{\n\t\"a\": 1,\n\t\"b\": [\n\t\t1,\n\t\t2\n\t]\n} [\n1\n]"),
                row("{{ msgs|tojson }}",
                        "[{\"role\": \"system\", \"content\": \"Be nice\"}, {\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Yo\"}]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersLikeJinja2(String template, String expected) {
        assertEquals(expected, render(template));
    }
}
