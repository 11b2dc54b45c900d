package dev.quill.chat;

import static dev.quill.chat.TemplateTestSupport.render;
import static dev.quill.chat.TemplateTestSupport.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Jinja2's default Undefined: prints empty, iterates empty, is falsy; missing keys and indexes are undefined, unsafe attributes print empty. Expected outputs come from Python jinja2 3.1.6 (see {@link TemplateTestSupport}). */
class JinjaUndefinedTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                row("[{{ missing }}]",
                        "[]"),
                row("[{{ missing ~ 'a' }}]",
                        "[a]"),
                row("{% for i in missing %}x{% endfor %}|{{ missing|length }}|{{ missing|list }}|{{ missing|join }}|{{ missing|trim }}|{{ missing|items|list }}|{{ missing|string }}|{{ missing|upper }}",
                        "|0|[]|||[]||"),
                row("{{ missing is defined }} {{ missing is undefined }} {{ missing == missing }} {{ missing != 'a' }} {{ 'a' in missing }} {{ missing is iterable }} {{ missing in x }}",
                        "False True True True False True False"),
                row("{{ d.zz }}|{{ d['zz'] }}|{{ x[10] }}|{{ d.zz or 'fallback' }}|{{ s.nope }}|{{ n.attr }}|{{ x.nope }}",
                        "|||fallback|||"),
                row("{% if missing %}yes{% else %}no{% endif %} {{ not missing }} [{{ loop }}] [{{ missing|first }}] [{{ missing|default }}]",
                        "no True [] [] []"),
                row("{{ ''.__class__ }}|{{ x.append }}|{{ d.update }}",
                        "||"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersLikeJinja2(String template, String expected) {
        assertEquals(expected, render(template));
    }
}
