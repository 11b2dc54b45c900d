package dev.quill.chat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Jinja2's built-in tests ({@code x is defined}, {@code x is string}, ...). */
final class Tests {
    @FunctionalInterface
    interface Test {
        boolean test(Evaluator ev, Object value, Arguments args);
    }

    private static final Map<String, Test> TESTS = new HashMap<>();

    static {
        unary("defined", v -> !(v instanceof Undefined));
        unary("undefined", v -> v instanceof Undefined);
        unary("none", v -> v == null);
        unary("boolean", v -> v instanceof Boolean);
        unary("true", v -> Boolean.TRUE.equals(v));
        unary("false", v -> Boolean.FALSE.equals(v));
        unary("integer", v -> v instanceof Long);
        unary("float", v -> v instanceof Double);
        unary("number", PyOps::isNumber);
        unary("string", PyOps::isStr);
        unary("mapping", v -> v instanceof Map);
        unary("iterable", PyOps::isIterable);
        unary("sequence", v -> PyOps.isStr(v) || v instanceof List || v instanceof PyTuple || v instanceof Map
                || v instanceof Undefined);
        unary("callable", v -> v instanceof TemplateCallable);
        unary("escaped", v -> v instanceof Markup);
        unary("lower", v -> PyStrings.isCase(PyRepr.str(v), false));
        unary("upper", v -> PyStrings.isCase(PyRepr.str(v), true));
        TESTS.put("odd", (ev, v, a) -> {
            a.bind("odd", new String[0]);
            return PyOps.equal(PyArithmetic.binary("%", v, 2L, ev.budget), 1L);
        });
        TESTS.put("even", (ev, v, a) -> {
            a.bind("even", new String[0]);
            return PyOps.equal(PyArithmetic.binary("%", v, 2L, ev.budget), 0L);
        });
        TESTS.put("divisibleby", (ev, v, a) -> {
            Object num = a.bind("divisibleby", new String[] {"num"}, Arguments.REQUIRED)[0];
            return PyOps.equal(PyArithmetic.binary("%", v, num, ev.budget), 0L);
        });
        comparison("==", "eq", "equalto");
        comparison("!=", "ne");
        comparison("<", "lt", "lessthan");
        comparison("<=", "le");
        comparison(">", "gt", "greaterthan");
        comparison(">=", "ge");
        TESTS.put("in", (ev, v, a) -> PyOps.contains(a.bind("in", new String[] {"seq"}, Arguments.REQUIRED)[0], v));
        TESTS.put("sameas", (ev, v, a) -> {
            Object other = a.bind("sameas", new String[] {"other"}, Arguments.REQUIRED)[0];
            // Python identity: None, True and False are singletons; other values compare by reference.
            return v == null || v instanceof Boolean ? java.util.Objects.equals(v, other) : v == other;
        });
        TESTS.put("filter", (ev, v, a) -> v instanceof String s && Filters.get(s) != null);
        TESTS.put("test", (ev, v, a) -> v instanceof String s && TESTS.containsKey(s));
    }

    private Tests() {
    }

    static Test get(String name) {
        return TESTS.get(name);
    }

    private static void unary(String name, java.util.function.Predicate<Object> predicate) {
        TESTS.put(name, (ev, v, a) -> {
            a.bind(name, new String[0]);
            return predicate.test(v);
        });
    }

    private static void comparison(String op, String... names) {
        Test test = (ev, v, a) -> PyOps.compare(op, v, a.bind(op, new String[] {"other"}, Arguments.REQUIRED)[0]);
        TESTS.put(op, test);
        for (String name : names) {
            TESTS.put(name, test);
        }
    }
}
