package dev.quill.chat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python value semantics for template values: truthiness, {@code str()}/{@code repr()},
 * equality, ordering, arithmetic, iteration. Values are null (None), Boolean, Long, Double,
 * String, List, {@link PyTuple}, Map, {@link Undefined}, {@link Namespace}, callables and
 * {@link LoopContext}; nothing else ever reaches a template.
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

    /** Python {@code str(v)}, failing once the text would exceed {@code maxChars}. */
    static String str(Object v, long maxChars) {
        return switch (v) {
            case null -> "None";
            case String s -> s;
            case Boolean b -> b ? "True" : "False";
            case Long l -> l.toString();
            case Double d -> floatRepr(d);
            case Markup m -> m.text();
            case Undefined u -> "";
            default -> repr(v, maxChars);
        };
    }

    /** {@code str} for values that are known to be small (numbers, strings, names). */
    static String str(Object v) {
        return str(v, Integer.MAX_VALUE - 16);
    }

    static String repr(Object v) {
        return repr(v, Integer.MAX_VALUE - 16);
    }

    static String repr(Object v, long maxChars) {
        StringBuilder sb = new StringBuilder();
        appendRepr(v, sb, maxChars, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
        return sb.toString();
    }

    /**
     * {@code printing} holds the containers being printed, so a namespace that contains itself
     * prints {@code {...}} like Python instead of recursing forever.
     */
    private static void appendRepr(Object v, StringBuilder sb, long maxChars, java.util.Set<Object> printing) {
        if ((v instanceof Map || (v instanceof List && !(v instanceof RangeList))) && !printing.add(v)) {
            sb.append(v instanceof Map ? "{...}" : "[...]");
            return;
        }
        try {
            appendReprOnce(v, sb, maxChars, printing);
        } finally {
            printing.remove(v);
        }
    }

    private static void appendReprOnce(Object v, StringBuilder sb, long maxChars, java.util.Set<Object> printing) {
        switch (v) {
            case null -> sb.append("None");
            case String s -> appendStringRepr(s, sb);
            case RangeList r -> sb.append("range(").append(r.start).append(", ").append(r.stop)
                    .append(r.step == 1 ? "" : ", " + r.step).append(')');
            case List<?> l -> appendItems(l, "[", "]", sb, maxChars, printing);
            case PyTuple t -> appendItems(t.items(), "(", t.items().size() == 1 ? ",)" : ")", sb, maxChars, printing);
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        sb.append(", ");
                    }
                    first = false;
                    appendRepr(e.getKey(), sb, maxChars, printing);
                    sb.append(": ");
                    appendRepr(e.getValue(), sb, maxChars, printing);
                    checkLength(sb, maxChars);
                }
                sb.append('}');
            }
            case Markup m -> {
                sb.append("Markup(");
                appendStringRepr(m.text(), sb);
                sb.append(')');
            }
            case DictView view -> {
                sb.append(view.typeName()).append('(');
                appendItems(view.items(), "[", "]", sb, maxChars, printing);
                sb.append(')');
            }
            case PyIterator it -> sb.append('<').append(it.typeName()).append(" object>");
            case Namespace n -> {
                sb.append("<Namespace ");
                appendRepr(n.attributes, sb, maxChars, printing);
                sb.append('>');
            }
            case Undefined u -> sb.append("Undefined");
            case Macro m -> sb.append(m.name() == null ? "<Macro anonymous>" : "<Macro '" + m.name() + "'>");
            case LoopContext l -> sb.append("<LoopContext ").append(l.index0() + 1).append('/').append(l.length()).append('>');
            case TemplateCallable c -> sb.append("<built-in function>");
            default -> sb.append(str(v, maxChars));
        }
        checkLength(sb, maxChars);
    }

    private static void appendItems(List<?> items, String open, String close, StringBuilder sb, long maxChars,
            java.util.Set<Object> printing) {
        sb.append(open);
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            appendRepr(items.get(i), sb, maxChars, printing);
            checkLength(sb, maxChars);
        }
        sb.append(close);
    }

    private static void checkLength(StringBuilder sb, long maxChars) {
        if (sb.length() > maxChars) {
            throw new TemplateException("template output exceeded the limit of " + maxChars + " characters");
        }
    }

    /** Python's string repr: single quotes unless only double quotes avoid escaping. */
    private static void appendStringRepr(String s, StringBuilder sb) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        sb.append(quote);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == quote || cp == '\\') {
                sb.append('\\').appendCodePoint(cp);
            } else if (cp == '\n') {
                sb.append("\\n");
            } else if (cp == '\r') {
                sb.append("\\r");
            } else if (cp == '\t') {
                sb.append("\\t");
            } else if (isPrintable(cp)) {
                sb.appendCodePoint(cp);
            } else if (cp < 0x100) {
                sb.append(String.format("\\x%02x", cp));
            } else if (cp < 0x10000) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.append(String.format("\\U%08x", cp));
            }
        }
        sb.append(quote);
    }

    /** Python's {@code str.isprintable} for one code point. */
    private static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /**
     * Python's {@code repr(float)}: the shortest digits that round-trip, positional between
     * 1e-4 and 1e16, scientific outside ("1e+16", "1e-05").
     */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        String sign = d < 0 ? "-" : "";
        double abs = Math.abs(d);
        BigDecimal shortest = new BigDecimal(Double.toString(abs)).stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        int decimalPoint = digits.length() - shortest.scale();
        // Java's shortest form has at least two digits; Python uses one when one round-trips.
        if (digits.length() == 2) {
            String one = oneDigitForm(abs, digits, decimalPoint);
            if (one != null) {
                digits = one;
                if (one.length() == 2) {
                    decimalPoint++;
                    digits = "1";
                }
            }
        }
        StringBuilder sb = new StringBuilder(sign);
        if (decimalPoint > 16 || decimalPoint <= -4) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            int exponent = decimalPoint - 1;
            sb.append('e').append(exponent < 0 ? '-' : '+');
            int absExp = Math.abs(exponent);
            if (absExp < 10) {
                sb.append('0');
            }
            sb.append(absExp);
        } else if (decimalPoint <= 0) {
            sb.append("0.").append("0".repeat(-decimalPoint)).append(digits);
        } else if (decimalPoint >= digits.length()) {
            sb.append(digits).append("0".repeat(decimalPoint - digits.length())).append(".0");
        } else {
            sb.append(digits, 0, decimalPoint).append('.').append(digits, decimalPoint, digits.length());
        }
        return sb.toString();
    }

    /**
     * The one-digit decimal nearest to {@code abs} that parses back to it, or null; "10" means
     * rounding carried into the next power of ten.
     */
    private static String oneDigitForm(double abs, String twoDigits, int decimalPoint) {
        int down = Integer.parseInt(twoDigits) / 10;
        BigDecimal exact = new BigDecimal(abs);
        String best = null;
        BigDecimal bestDistance = null;
        for (int candidate : new int[] {down, down + 1}) {
            if (candidate == 0) {
                continue;
            }
            BigDecimal c = BigDecimal.valueOf(candidate).scaleByPowerOfTen(decimalPoint - 1);
            if (c.doubleValue() == abs) {
                BigDecimal distance = c.subtract(exact).abs();
                if (bestDistance == null || distance.compareTo(bestDistance) < 0) {
                    best = Integer.toString(candidate);
                    bestDistance = distance;
                }
            }
        }
        return best;
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

    // ---- arithmetic ----

    static Object arithmetic(String op, Object a, Object b, RenderBudget budget) {
        failIfUndefined(a);
        // "text" % undefined formats like "%s" % "" in Python, so only other operators fail here.
        if (!(op.equals("%") && isStr(a))) {
            failIfUndefined(b);
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
        if (isInt(a) && isInt(b)) {
            return onLongs.apply(toLong(a), toLong(b));
        }
        if (isNumber(a) && isNumber(b)) {
            return onDoubles.apply(toDouble(a), toDouble(b));
        }
        throw unsupported(op, a, b);
    }

    private static TemplateException unsupported(String op, Object a, Object b) {
        return new TemplateException("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    /** Formatting into Markup escapes every argument that is not Markup or a number already. */
    private static Object escapeArguments(Object args) {
        if (args instanceof PyTuple t) {
            return new PyTuple(t.items().stream().map(PyOps::escapeArgument).toList());
        }
        if (args instanceof Map<?, ?> m) {
            Map<Object, Object> escaped = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> escaped.put(k, escapeArgument(v)));
            return escaped;
        }
        return escapeArgument(args);
    }

    private static Object escapeArgument(Object v) {
        return isNumber(v) || v instanceof Markup ? v : Markup.escape(v);
    }

    private static Object add(Object a, Object b, RenderBudget budget) {
        if (a instanceof Markup || b instanceof Markup) {
            if (!isStr(a) || !isStr(b)) {
                throw unsupported("+", a, b);
            }
            String sa = Markup.escape(a).text();
            String sb = Markup.escape(b).text();
            budget.checkSize((long) sa.length() + sb.length());
            return new Markup(sa + sb);
        }
        if (isNumber(a) && isNumber(b)) {
            return numeric("+", a, b, Math::addExact, Double::sum);
        }
        if (a instanceof String sa) {
            if (!(b instanceof String sb)) {
                throw new TemplateException("can only concatenate str (not \"" + typeName(b) + "\") to str");
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
            throw new TemplateException("can only concatenate list (not \"" + typeName(b) + "\") to list");
        }
        throw unsupported("+", a, b);
    }

    private static Object multiply(Object a, Object b, RenderBudget budget) {
        if (isNumber(a) && isNumber(b)) {
            return numeric("*", a, b, Math::multiplyExact, (x, y) -> x * y);
        }
        if (isInt(a) && !isInt(b)) {
            return multiply(b, a, budget);
        }
        if (!isInt(b)) {
            if (isStr(a) || isSequence(a)) {
                throw new TemplateException("can't multiply sequence by non-int of type '" + typeName(b) + "'");
            }
            throw unsupported("*", a, b);
        }
        long times = Math.max(0, toLong(b));
        if (a instanceof String s) {
            budget.checkSize(s.length() * times);
            return s.repeat((int) times);
        }
        if (a instanceof Markup m) {
            budget.checkSize(m.text().length() * times);
            return new Markup(m.text().repeat((int) times));
        }
        if (isSequence(a) && !(a instanceof RangeList)) {
            List<Object> items = items(a);
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
        if (!isNumber(a) || !isNumber(b)) {
            throw unsupported("/", a, b);
        }
        if (toDouble(b) == 0) {
            throw new TemplateException("division by zero");
        }
        return toDouble(a) / toDouble(b);
    }

    private static Object floorDivide(Object a, Object b) {
        if (!isNumber(a) || !isNumber(b)) {
            throw unsupported("//", a, b);
        }
        if (toDouble(b) == 0) {
            throw new TemplateException("integer division or modulo by zero");
        }
        if (isInt(a) && isInt(b)) {
            if (toLong(a) == Long.MIN_VALUE && toLong(b) == -1) {
                throw new ArithmeticException();
            }
            return Math.floorDiv(toLong(a), toLong(b));
        }
        return floatFloorDivide(toDouble(a), toDouble(b));
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
        if (!isNumber(a) || !isNumber(b)) {
            throw unsupported("%", a, b);
        }
        if (toDouble(b) == 0) {
            throw new TemplateException("integer division or modulo by zero");
        }
        if (isInt(a) && isInt(b)) {
            return Math.floorMod(toLong(a), toLong(b));
        }
        double x = toDouble(a);
        double y = toDouble(b);
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
        if (!isNumber(a) || !isNumber(b)) {
            throw unsupported("** or pow()", a, b);
        }
        if (isInt(a) && isInt(b) && toLong(b) >= 0) {
            long base = toLong(a);
            long exp = toLong(b);
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
        double x = toDouble(a);
        double y = toDouble(b);
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
        failIfUndefined(v);
        if (v instanceof Double d) {
            return -d;
        }
        if (isInt(v)) {
            return Math.negateExact(toLong(v));
        }
        throw new TemplateException("bad operand type for unary -: '" + typeName(v) + "'");
    }

    static Object positive(Object v) {
        failIfUndefined(v);
        if (v instanceof Double) {
            return v;
        }
        if (isInt(v)) {
            return toLong(v);
        }
        throw new TemplateException("bad operand type for unary +: '" + typeName(v) + "'");
    }
}
