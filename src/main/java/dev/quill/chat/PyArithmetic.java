package dev.quill.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python's arithmetic operators on template values: int/float promotion (bool counts as int),
 * floor division and modulo with Python's signs, str/list concatenation and repetition, and
 * Markup escaping. Integers are 64-bit; where Python would grow a big integer we fail clearly.
 */
final class PyArithmetic {
    private PyArithmetic() {
    }

    static Object binary(String op, Object a, Object b, RenderBudget budget) {
        PyOps.failIfUndefined(a);
        // "text" % undefined formats like "%s" % "" in Python, so only other operators fail here.
        if (!(op.equals("%") && PyOps.isStr(a))) {
            PyOps.failIfUndefined(b);
        }
        try {
            return switch (op) {
                case "+" -> add(a, b, budget);
                case "-" -> numeric(op, a, b, Math::subtractExact, (x, y) -> x - y);
                case "*" -> multiply(a, b, budget);
                case "/" -> divide(a, b);
                case "//" -> floorDivide(a, b);
                case "%" -> switch (a) {
                    case String s -> PyFormat.percent(s, b, budget);
                    case Markup m -> new Markup(PyFormat.percent(m.text(), escapeArguments(b), budget));
                    default -> modulo(a, b);
                };
                case "**" -> power(a, b);
                default -> throw new IllegalStateException(op);
            };
        } catch (ArithmeticException e) {
            throw new TemplateException("integer overflow: templates compute with 64-bit integers");
        }
    }

    private interface LongOp {
        long apply(long a, long b);
    }

    private interface DoubleOp {
        double apply(double a, double b);
    }

    private static Object numeric(String op, Object a, Object b, LongOp onLongs, DoubleOp onDoubles) {
        if (PyOps.isInt(a) && PyOps.isInt(b)) {
            return onLongs.apply(PyOps.toLong(a), PyOps.toLong(b));
        }
        if (PyOps.isNumber(a) && PyOps.isNumber(b)) {
            return onDoubles.apply(PyOps.toDouble(a), PyOps.toDouble(b));
        }
        throw unsupported(op, a, b);
    }

    private static TemplateException unsupported(String op, Object a, Object b) {
        return new TemplateException("unsupported operand type(s) for " + op + ": '" + PyOps.typeName(a) + "' and '"
                + PyOps.typeName(b) + "'");
    }

    /** Formatting into Markup escapes every argument that is not Markup or a number already. */
    private static Object escapeArguments(Object args) {
        if (args instanceof PyTuple t) {
            return new PyTuple(t.items().stream().map(PyArithmetic::escapeArgument).toList());
        }
        if (args instanceof Map<?, ?> m) {
            Map<Object, Object> escaped = new LinkedHashMap<>();
            m.forEach((k, v) -> escaped.put(k, escapeArgument(v)));
            return escaped;
        }
        return escapeArgument(args);
    }

    private static Object escapeArgument(Object v) {
        return PyOps.isNumber(v) || v instanceof Markup ? v : Markup.escape(v);
    }

    private static Object add(Object a, Object b, RenderBudget budget) {
        if (a instanceof Markup || b instanceof Markup) {
            if (!PyOps.isStr(a) || !PyOps.isStr(b)) {
                throw unsupported("+", a, b);
            }
            String sa = Markup.escape(a).text();
            String sb = Markup.escape(b).text();
            budget.checkSize((long) sa.length() + sb.length());
            return new Markup(sa + sb);
        }
        if (PyOps.isNumber(a) && PyOps.isNumber(b)) {
            return numeric("+", a, b, Math::addExact, Double::sum);
        }
        if (a instanceof String sa) {
            if (!(b instanceof String sb)) {
                throw new TemplateException("can only concatenate str (not \"" + PyOps.typeName(b) + "\") to str");
            }
            budget.checkSize((long) sa.length() + sb.length());
            return sa + sb;
        }
        if (a instanceof List<?> la && b instanceof List<?> lb && !(a instanceof RangeList) && !(b instanceof RangeList)) {
            budget.checkSize((long) la.size() + lb.size());
            List<Object> out = new ArrayList<>(la);
            out.addAll(lb);
            return out;
        }
        if (a instanceof PyTuple ta && b instanceof PyTuple tb) {
            budget.checkSize((long) ta.items().size() + tb.items().size());
            List<Object> out = new ArrayList<>(ta.items());
            out.addAll(tb.items());
            return new PyTuple(out);
        }
        if (a instanceof List) {
            throw new TemplateException("can only concatenate list (not \"" + PyOps.typeName(b) + "\") to list");
        }
        throw unsupported("+", a, b);
    }

    private static Object multiply(Object a, Object b, RenderBudget budget) {
        if (PyOps.isNumber(a) && PyOps.isNumber(b)) {
            return numeric("*", a, b, Math::multiplyExact, (x, y) -> x * y);
        }
        if (PyOps.isInt(a) && !PyOps.isInt(b)) {
            return multiply(b, a, budget);
        }
        if (!PyOps.isInt(b)) {
            if (PyOps.isStr(a) || PyOps.isSequence(a)) {
                throw new TemplateException("can't multiply sequence by non-int of type '" + PyOps.typeName(b) + "'");
            }
            throw unsupported("*", a, b);
        }
        long times = Math.max(0, PyOps.toLong(b));
        if (a instanceof String s) {
            budget.checkSize(s.length() * times);
            return s.repeat((int) times);
        }
        if (a instanceof Markup m) {
            budget.checkSize(m.text().length() * times);
            return new Markup(m.text().repeat((int) times));
        }
        if (PyOps.isSequence(a) && !(a instanceof RangeList)) {
            List<Object> items = PyOps.items(a);
            budget.checkSize(items.size() * times);
            List<Object> out = new ArrayList<>();
            for (long i = 0; i < times; i++) {
                out.addAll(items);
            }
            return a instanceof PyTuple ? new PyTuple(out) : out;
        }
        throw unsupported("*", a, b);
    }

    private static Object divide(Object a, Object b) {
        if (!PyOps.isNumber(a) || !PyOps.isNumber(b)) {
            throw unsupported("/", a, b);
        }
        if (PyOps.toDouble(b) == 0) {
            throw new TemplateException("division by zero");
        }
        return PyOps.toDouble(a) / PyOps.toDouble(b);
    }

    private static Object floorDivide(Object a, Object b) {
        if (!PyOps.isNumber(a) || !PyOps.isNumber(b)) {
            throw unsupported("//", a, b);
        }
        if (PyOps.toDouble(b) == 0) {
            throw new TemplateException("integer division or modulo by zero");
        }
        if (PyOps.isInt(a) && PyOps.isInt(b)) {
            if (PyOps.toLong(a) == Long.MIN_VALUE && PyOps.toLong(b) == -1) {
                throw new ArithmeticException();
            }
            return Math.floorDiv(PyOps.toLong(a), PyOps.toLong(b));
        }
        return floatFloorDivide(PyOps.toDouble(a), PyOps.toDouble(b));
    }

    /** CPython's float floor division: derived from fmod, then snapped to an integral value. */
    private static double floatFloorDivide(double x, double y) {
        double mod = x % y;
        double div = (x - mod) / y;
        if (mod != 0 && (y < 0) != (mod < 0)) {
            div -= 1.0;
        }
        if (div == 0) {
            return Math.copySign(0.0, x / y);
        }
        double floor = Math.floor(div);
        return div - floor > 0.5 ? floor + 1.0 : floor;
    }

    private static Object modulo(Object a, Object b) {
        if (!PyOps.isNumber(a) || !PyOps.isNumber(b)) {
            throw unsupported("%", a, b);
        }
        if (PyOps.toDouble(b) == 0) {
            throw new TemplateException("integer division or modulo by zero");
        }
        if (PyOps.isInt(a) && PyOps.isInt(b)) {
            return Math.floorMod(PyOps.toLong(a), PyOps.toLong(b));
        }
        double x = PyOps.toDouble(a);
        double y = PyOps.toDouble(b);
        double r = x % y;
        if (r == 0) {
            // Python gives a zero result the divisor's sign.
            return Math.copySign(0.0, y);
        }
        if ((r < 0) != (y < 0)) {
            r += y;
        }
        return r;
    }

    private static Object power(Object a, Object b) {
        if (!PyOps.isNumber(a) || !PyOps.isNumber(b)) {
            throw unsupported("** or pow()", a, b);
        }
        if (PyOps.isInt(a) && PyOps.isInt(b) && PyOps.toLong(b) >= 0) {
            long base = PyOps.toLong(a);
            long exp = PyOps.toLong(b);
            long result = 1;
            while (exp > 0) {
                if ((exp & 1) == 1) {
                    result = Math.multiplyExact(result, base);
                }
                exp >>= 1;
                if (exp > 0) {
                    base = Math.multiplyExact(base, base);
                }
            }
            return result;
        }
        double x = PyOps.toDouble(a);
        double y = PyOps.toDouble(b);
        if (x == 0 && y < 0) {
            throw new TemplateException("0.0 cannot be raised to a negative power");
        }
        if (x < 0 && y != Math.rint(y)) {
            throw new TemplateException("negative number raised to a fractional power has a complex result");
        }
        double result = Math.pow(x, y);
        if (Double.isInfinite(result) && !Double.isInfinite(x) && !Double.isInfinite(y)) {
            throw new TemplateException("(34, 'Numerical result out of range')");
        }
        return result;
    }

    static Object negate(Object v) {
        PyOps.failIfUndefined(v);
        if (v instanceof Double d) {
            return -d;
        }
        if (PyOps.isInt(v)) {
            return Math.negateExact(PyOps.toLong(v));
        }
        throw new TemplateException("bad operand type for unary -: '" + PyOps.typeName(v) + "'");
    }

    static Object positive(Object v) {
        PyOps.failIfUndefined(v);
        if (v instanceof Double) {
            return v;
        }
        if (PyOps.isInt(v)) {
            return PyOps.toLong(v);
        }
        throw new TemplateException("bad operand type for unary +: '" + PyOps.typeName(v) + "'");
    }
}
