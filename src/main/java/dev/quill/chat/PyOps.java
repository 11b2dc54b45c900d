package dev.quill.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python value semantics for template values: types, truthiness, equality, ordering,
 * membership and iteration ({@link PyRepr} prints them, {@link PyArithmetic} computes with
 * them). Values are null (None), Boolean, Long, Double, String, {@link Markup}, List,
 * {@link PyTuple}, Map, {@link PyIterator}, {@link DictView}, {@link Undefined},
 * {@link Namespace}, callables and {@link LoopContext}; nothing else ever reaches a template.
 */
final class PyOps {
    private PyOps() {
    }

    // ---- types ----

    static boolean isInt(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static boolean isNumber(Object v) {
        return isInt(v) || v instanceof Double;
    }

    static long toLong(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : (Long) v;
    }

    static double toDouble(Object v) {
        return v instanceof Double d ? d : toLong(v);
    }

    static boolean isSequence(Object v) {
        return v instanceof List || v instanceof PyTuple;
    }

    /** A str or a {@link Markup} (which is a str subclass in Python). */
    static boolean isStr(Object v) {
        return v instanceof String || v instanceof Markup;
    }

    /** The text of a str or Markup; other values unchanged. */
    static Object unwrapMarkup(Object v) {
        return v instanceof Markup m ? m.text() : v;
    }

    /** The items of a list or tuple. */
    static List<Object> items(Object v) {
        return v instanceof PyTuple t ? t.items() : castList(v);
    }

    @SuppressWarnings("unchecked")
    static List<Object> castList(Object v) {
        return (List<Object>) v;
    }

    @SuppressWarnings("unchecked")
    static Map<Object, Object> castMap(Object v) {
        return (Map<Object, Object>) v;
    }

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case String s -> "str";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case RangeList r -> "range";
            case List<?> l -> "list";
            case PyTuple t -> "tuple";
            case Map<?, ?> m -> "dict";
            case Markup m -> "Markup";
            case PyIterator it -> it.typeName();
            case DictView view -> view.typeName();
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            case LoopContext l -> "LoopContext";
            case Macro m -> "Macro";
            case TemplateCallable c -> "builtin_function_or_method";
            default -> v.getClass().getSimpleName();
        };
    }

    /** How Jinja2 names an object in "has no attribute" messages. */
    static String objectTypeName(Object v) {
        return v == null ? "None" : typeName(v) + " object";
    }

    // ---- truthiness and text ----

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case List<?> l -> !l.isEmpty();
            case PyTuple t -> !t.items().isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Markup m -> !m.text().isEmpty();
            case DictView view -> !view.items().isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    // ---- equality and ordering ----

    static boolean equal(Object a, Object b) {
        a = unwrapMarkup(a);
        b = unwrapMarkup(b);
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return toLong(a) == toLong(b);
            }
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof String sa) {
            return b instanceof String sb && sa.equals(sb);
        }
        if (a instanceof RangeList || b instanceof RangeList) {
            return a instanceof RangeList ra && b instanceof RangeList rb && equalItems(ra, rb);
        }
        if (a instanceof List<?> la) {
            return b instanceof List<?> lb && equalItems(la, lb);
        }
        if (a instanceof PyTuple ta) {
            return b instanceof PyTuple tb && equalItems(ta.items(), tb.items());
        }
        if (a instanceof Map<?, ?> ma) {
            if (!(b instanceof Map<?, ?> mb) || ma.size() != mb.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                Object key = e.getKey();
                if (!mb.containsKey(key) || !equal(e.getValue(), mb.get(key))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Undefined) {
            return b instanceof Undefined;
        }
        return false;
    }

    private static boolean equalItems(List<?> a, List<?> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!equal(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Evaluates one comparison operator with Python semantics. */
    static boolean compare(String op, Object a, Object b) {
        switch (op) {
            case "==" -> {
                return equal(a, b);
            }
            case "!=" -> {
                return !equal(a, b);
            }
            case "in" -> {
                return contains(b, a);
            }
            case "not in" -> {
                return !contains(b, a);
            }
            default -> {
                failIfUndefined(a);
                failIfUndefined(b);
                if ((a instanceof Double da && da.isNaN()) || (b instanceof Double db && db.isNaN())) {
                    return false;
                }
                int c = order(a, b, op);
                return switch (op) {
                    case "<" -> c < 0;
                    case "<=" -> c <= 0;
                    case ">" -> c > 0;
                    default -> c >= 0;
                };
            }
        }
    }

    /** Python ordering between numbers, strings, or same-kind sequences; anything else is a TypeError. */
    static int order(Object a, Object b, String op) {
        a = unwrapMarkup(a);
        b = unwrapMarkup(b);
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return Long.compare(toLong(a), toLong(b));
            }
            return Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String sa && b instanceof String sb) {
            return PyStrings.compareCodePoints(sa, sb);
        }
        if ((a instanceof List && b instanceof List) || (a instanceof PyTuple && b instanceof PyTuple)) {
            List<Object> la = items(a);
            List<Object> lb = items(b);
            for (int i = 0; i < Math.min(la.size(), lb.size()); i++) {
                if (!equal(la.get(i), lb.get(i))) {
                    return order(la.get(i), lb.get(i), op);
                }
            }
            return Integer.compare(la.size(), lb.size());
        }
        throw new TemplateException("'" + op + "' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    static void failIfUndefined(Object v) {
        if (v instanceof Undefined u) {
            throw u.error();
        }
    }

    /** Python {@code item in container}. */
    static boolean contains(Object containerValue, Object itemValue) {
        Object container = unwrapMarkup(containerValue);
        Object item = unwrapMarkup(itemValue);
        switch (container) {
            case null -> throw new TemplateException("argument of type 'NoneType' is not iterable");
            case String s -> {
                failIfUndefined(item);
                if (!(item instanceof String needle)) {
                    throw new TemplateException("'in <string>' requires string as left operand, not " + typeName(item));
                }
                return s.contains(needle);
            }
            case Map<?, ?> m -> {
                hashKey(item);
                return Access.findKey(castMap(m), item) != Frame.MISSING;
            }
            case Undefined u -> {
                return false;
            }
            case PyIterator it -> {
                return it.consumeUntil(item);
            }
            case DictView view -> {
                if (view.typeName().equals("dict_keys")) {
                    return view.items().stream().anyMatch(k -> equal(k, item));
                }
                return view.items().stream().anyMatch(o -> equal(o, item));
            }
            default -> {
                if (isSequence(container)) {
                    for (Object o : items(container)) {
                        if (equal(o, item)) {
                            return true;
                        }
                    }
                    return false;
                }
                throw new TemplateException("argument of type '" + typeName(container) + "' is not iterable");
            }
        }
    }

    /** A Java key with Python's hashing equivalences (1 == 1.0 == True), for sets and dict keys. */
    static Object hashKey(Object v) {
        return switch (v) {
            case null -> List.of("None");
            case Boolean b -> b ? 1L : 0L;
            case Markup m -> m.text();
            case Double d when d == Math.rint(d) && Math.abs(d) < 9.0e18 -> (long) d.doubleValue();
            case PyTuple t -> t.items().stream().map(PyOps::hashKey).toList();
            case List<?> l -> throw new TemplateException("unhashable type: 'list'");
            case Map<?, ?> m -> throw new TemplateException("unhashable type: 'dict'");
            case Undefined u -> List.of("Undefined");
            default -> v;
        };
    }

    // ---- iteration ----

    /** What a for loop over {@code v} visits: items, characters, or dict keys; undefined is empty. */
    static List<Object> iterate(Object v) {
        return switch (v) {
            case null -> throw new TemplateException("'NoneType' object is not iterable");
            case List<?> l -> castList(l);
            case PyTuple t -> t.items();
            case String s -> PyStrings.characters(s);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case Markup m -> PyStrings.characters(m.text());
            case PyIterator it -> it.drain();
            case DictView view -> view.items();
            case Undefined u -> List.of();
            default -> throw new TemplateException("'" + typeName(v) + "' object is not iterable");
        };
    }

    static boolean isIterable(Object v) {
        return v instanceof List || v instanceof PyTuple || v instanceof String || v instanceof Map
                || v instanceof Undefined || v instanceof Markup || v instanceof PyIterator || v instanceof DictView;
    }

    static int length(Object v) {
        return switch (v) {
            case null -> throw new TemplateException("object of type 'NoneType' has no len()");
            case String s -> PyStrings.length(s);
            case List<?> l -> l.size();
            case PyTuple t -> t.items().size();
            case Map<?, ?> m -> m.size();
            case Markup m -> PyStrings.length(m.text());
            case DictView view -> view.items().size();
            case Undefined u -> 0;
            default -> throw new TemplateException("object of type '" + typeName(v) + "' has no len()");
        };
    }
}
