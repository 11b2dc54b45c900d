package dev.quill.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Evaluates expressions for one rendering. */
final class Evaluator {
    final RenderBudget budget;
    private final long maxChars;
    private final Map<String, Object> globals;

    Evaluator(RenderBudget budget, long maxChars, Map<String, Object> globals) {
        this.budget = budget;
        this.maxChars = maxChars;
        this.globals = globals;
    }

    Object eval(Expr e, Frame frame) {
        try {
            return evaluate(e, frame);
        } catch (TemplateException ex) {
            throw ex.atLine(e.line());
        }
    }

    long maxChars() {
        return maxChars;
    }

    /** Python {@code str(v)} within the output limit. */
    String text(Object v) {
        return PyRepr.str(v, maxChars);
    }

    private Object evaluate(Expr e, Frame frame) {
        return switch (e) {
            case Expr.Literal l -> l.value();
            case Expr.Name n -> resolve(n.name(), frame);
            case Expr.ListLiteral l -> evalAll(l.items(), frame);
            case Expr.TupleLiteral t -> new PyTuple(evalAll(t.items(), frame));
            case Expr.DictLiteral d -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    Object key = eval(d.keys().get(i), frame);
                    Object hash = PyOps.hashKey(key);
                    // Python keeps the first spelling of equal keys ({1: 'a', true: 'b'} is {1: 'b'}).
                    for (Object existing : map.keySet()) {
                        if (PyOps.hashKey(existing).equals(hash)) {
                            key = existing;
                            break;
                        }
                    }
                    map.put(key, eval(d.values().get(i), frame));
                }
                yield map;
            }
            case Expr.Attribute a -> Access.attribute(eval(a.target(), frame), a.name(), budget);
            case Expr.Item i -> {
                Object target = eval(i.target(), frame);
                if (i.key() instanceof Expr.Slice s) {
                    yield Access.slice(target, evalOptional(s.start(), frame), evalOptional(s.stop(), frame),
                            evalOptional(s.step(), frame));
                }
                yield Access.item(target, eval(i.key(), frame), budget);
            }
            case Expr.Slice s -> throw new TemplateException("a slice is only valid inside []");
            case Expr.Call c -> call(eval(c.callee(), frame), arguments(c.args(), c.keywords(), frame));
            case Expr.Filter f -> applyFilter(f, eval(f.input(), frame), frame);
            case Expr.Test t -> applyTest(t.name(), eval(t.input(), frame), arguments(t.args(), t.keywords(), frame));
            case Expr.Unary u -> switch (u.op()) {
                case "not" -> !PyOps.truthy(eval(u.operand(), frame));
                case "-" -> PyArithmetic.negate(eval(u.operand(), frame));
                default -> PyArithmetic.positive(eval(u.operand(), frame));
            };
            case Expr.Binary b -> binary(b, frame);
            case Expr.Power p -> {
                Object base = eval(p.base(), frame);
                Object exponent = eval(p.exponent(), frame);
                if (p.constantBase() && isNegative(base)) {
                    yield PyArithmetic.negate(PyArithmetic.binary("**", PyArithmetic.negate(base), exponent, budget));
                }
                yield PyArithmetic.binary("**", base, exponent, budget);
            }
            case Expr.Compare c -> {
                Object left = eval(c.first(), frame);
                for (int i = 0; i < c.ops().size(); i++) {
                    Object right = eval(c.operands().get(i), frame);
                    if (!PyOps.compare(c.ops().get(i), left, right)) {
                        yield false;
                    }
                    left = right;
                }
                yield true;
            }
            case Expr.Conditional c -> {
                if (PyOps.truthy(eval(c.condition(), frame))) {
                    yield eval(c.then(), frame);
                }
                yield c.otherwise() != null ? eval(c.otherwise(), frame)
                        : Undefined.because("the inline if-expression on line " + c.line()
                                + " evaluated to false and no else section was defined.");
            }
        };
    }

    private Object binary(Expr.Binary b, Frame frame) {
        Object left = eval(b.left(), frame);
        switch (b.op()) {
            case "and" -> {
                return PyOps.truthy(left) ? eval(b.right(), frame) : left;
            }
            case "or" -> {
                return PyOps.truthy(left) ? left : eval(b.right(), frame);
            }
            case "~" -> {
                // Concatenation stringifies both sides, so undefined contributes "" instead of failing.
                String l = text(left);
                String r = text(eval(b.right(), frame));
                budget.checkSize((long) l.length() + r.length());
                return l + r;
            }
            default -> {
                return PyArithmetic.binary(b.op(), left, eval(b.right(), frame), budget);
            }
        }
    }

    private static boolean isNegative(Object v) {
        return v instanceof Long l ? l < 0 : v instanceof Double d && (d < 0 || (d == 0 && 1 / d < 0));
    }

    private Object evalOptional(Expr e, Frame frame) {
        return e == null ? null : eval(e, frame);
    }

    private List<Object> evalAll(List<Expr> items, Frame frame) {
        List<Object> out = new ArrayList<>(items.size());
        for (Expr item : items) {
            out.add(eval(item, frame));
        }
        return out;
    }

    Arguments arguments(List<Expr> args, List<Expr.Keyword> keywords, Frame frame) {
        if (args.isEmpty() && keywords.isEmpty()) {
            return Arguments.NONE;
        }
        Map<String, Object> kw = new LinkedHashMap<>();
        for (Expr.Keyword k : keywords) {
            kw.put(k.name(), eval(k.value(), frame));
        }
        return new Arguments(evalAll(args, frame), kw);
    }

    private Object resolve(String name, Frame frame) {
        Object value = frame.lookup(name);
        if (value != Frame.MISSING) {
            return value;
        }
        if (globals.containsKey(name)) {
            return globals.get(name);
        }
        return Undefined.named(name);
    }

    Object call(Object callee, Arguments args) {
        if (callee instanceof TemplateCallable c) {
            return c.call(args);
        }
        PyOps.failIfUndefined(callee);
        throw new TemplateException("'" + PyOps.typeName(callee) + "' object is not callable");
    }

    /** Applies a filter chain whose innermost input is the piped-in value (filter and set blocks). */
    Object applyFilterChain(Expr chain, Object piped, Frame frame) {
        Expr.Filter f = (Expr.Filter) chain;
        Object input = f.input() == null ? piped : applyFilterChain(f.input(), piped, frame);
        return applyFilter(f, input, frame);
    }

    private Object applyFilter(Expr.Filter f, Object input, Frame frame) {
        return callFilter(f.name(), input, arguments(f.args(), f.keywords(), frame));
    }

    Object callFilter(String name, Object value, Arguments args) {
        Filters.Filter filter = Filters.get(name);
        if (filter == null) {
            throw new TemplateException("No filter named '" + name + "'.");
        }
        return filter.apply(this, value, args);
    }

    boolean applyTest(String name, Object value, Arguments args) {
        Tests.Test test = Tests.get(name);
        if (test == null) {
            throw new TemplateException("No test named '" + name + "'.");
        }
        return test.test(this, value, args);
    }
}
