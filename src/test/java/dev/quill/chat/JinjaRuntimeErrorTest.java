package dev.quill.chat;

import static dev.quill.chat.TemplateTestSupport.render;
import static dev.quill.chat.TemplateTestSupport.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runtime errors: each template fails in Python jinja2 3.1.6 too, with a message containing the
 * same fragment.
 */
class JinjaRuntimeErrorTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                row("{{ missing + 'a' }}", "'missing' is undefined"),
                row("{{ missing.attr }}", "'missing' is undefined"),
                row("{{ missing['k'] }}", "'missing' is undefined"),
                row("{{ missing() }}", "'missing' is undefined"),
                row("{{ missing < 1 }}", "'missing' is undefined"),
                row("{{ d.zz + 'a' }}", "'dict object' has no attribute 'zz'"),
                row("{{ n.attr + 1 }}", "'None' has no attribute 'attr'"),
                row("{{ x[10] + 1 }}", "list object has no element 10"),
                row("{{ missing|tojson }}", "not JSON serializable"),
                row("{{ 'a' + 1 }}", "can only concatenate str (not \"int\") to str"),
                row("{{ 1 + 'a' }}", "unsupported operand type(s) for +: 'int' and 'str'"),
                row("{{ 1 / 0 }}", "division by zero"),
                row("{{ 'a' < 1 }}", "'<' not supported between instances of 'str' and 'int'"),
                row("{{ x|nosuchfilter }}", "No filter named 'nosuchfilter'"),
                row("{{ x is nosuchtest }}", "No test named 'nosuchtest'"),
                row("{% set a, b = [1] %}", "not enough values to unpack (expected 2, got 1)"),
                row("{% set a, b = [1, 2, 3] %}", "too many values to unpack (expected 2)"),
                row("{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", "macro 'm' takes not more than 1 argument(s)"),
                row("{% macro m(a) %}{% endmacro %}{{ m(b=1) }}", "macro 'm' takes no keyword argument 'b'"),
                row("{{ 'abc'.index('z') }}", "substring not found"),
                row("{{ x() }}", "'list' object is not callable"),
                row("{{ x.append(4) }}", "access to attribute 'append' of 'list' object is unsafe."),
                row("{{ d.update({}) }}", "access to attribute 'update' of 'dict' object is unsafe."),
                row("{{ ''.__class__.__mro__ }}", "access to attribute '__class__' of 'str' object is unsafe."),
                row("{{ range(200000)|length }}", "Range too big"),
                row("{{ 1 in 5 }}", "argument of type 'int' is not iterable"),
                row("{{ 5|length }}", "object of type 'int' has no len()"),
                row("{% for i in 5 %}{% endfor %}", "'int' object is not iterable"),
                row("{{ 'x' * 'y' }}", "can't multiply sequence by non-int of type 'str'"),
                row("{{ 5|items|list }}", "Can only get item pairs from a mapping."),
                row("{{ loop.index }}", "'loop' is undefined"),
                row("{% set v = 5 %}{% set v.attr = 1 %}", "non-namespace object"),
                row("{% macro m(a) %}{{ a }}{% endmacro %}{% call m(1) %}x{% endcall %}", "two values for the special caller argument"),
                row("{% macro m() %}{{ caller() }}{% endmacro %}{{ m() }}", "No caller defined"),
                row("{{ x|map('string')|tojson }}", "Object of type generator is not JSON serializable"),
                row("{{ x|select|length }}", "object of type 'generator' has no len()"),
                row("{{ x|select|last }}", "'generator' object is not reversible"),
                row("{{ d.items()|tojson }}", "Object of type dict_items is not JSON serializable"),
                row("{{ range(3)|tojson }}", "Object of type range is not JSON serializable"),
                row("{{ 'a'|safe + 1 }}", "unsupported operand type(s) for +: 'Markup' and 'int'"),
                row("{{ f ** 1000 }}", "Numerical result out of range"),
                row("{{ words in d }}", "unhashable type: 'list'"),
                row("{% include 'other.jinja' %}", "no loader for this environment specified"),
                row("{% from 'x' import a as b, c %}", "no loader for this environment specified"),
                row("{{ '%d' % 'x' }}", "format: a real number is required, not str"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void failsLikeJinja2(String template, String messageFragment) {
        TemplateException e = assertThrows(TemplateException.class, () -> render(template));
        assertTrue(e.getMessage().contains(messageFragment), () -> "message: " + e.getMessage());
        assertEquals(1, e.line(), () -> "error should name line 1: " + e.getMessage());
    }
}
