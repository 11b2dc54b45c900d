package dev.quill.chat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jinja2's built-in filters on text and numbers, with Hugging Face's {@code tojson}, and the
 * registry of all filters ({@link SequenceFilters} adds those over sequences).
 */
final class Filters {
    @FunctionalInterface
    interface Filter {
        Object apply(Evaluator ev, Object value, Arguments args);
    }

    private static final Map<String, Filter> FILTERS = new HashMap<>();
    private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WORD_BEGINNING = Pattern.compile("([-\\s({\\[<]+)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final String[] NONE = new String[0];

    static {
        SequenceFilters.register(FILTERS);
        FILTERS.put("abs", (ev, v, a) -> abs(v, a));
        FILTERS.put("attr", (ev, v, a) -> attr(v, a, ev));
        FILTERS.put("capitalize", (ev, v, a) -> sameKind(v, PyStrings.capitalize(text(ev, v, a, "capitalize"))));
        FILTERS.put("center", Filters::center);
        FILTERS.put("default", Filters::defaultValue);
        FILTERS.put("d", Filters::defaultValue);
        FILTERS.put("escape", (ev, v, a) -> escapeFilter(v, a));
        FILTERS.put("e", (ev, v, a) -> escapeFilter(v, a));
        FILTERS.put("forceescape", (ev, v, a) -> new Markup(escape(text(ev, v, a, "forceescape"))));
        FILTERS.put("float", (ev, v, a) -> toFloat(v, a));
        FILTERS.put("format", Filters::format);
        FILTERS.put("indent", Filters::indent);
        FILTERS.put("int", (ev, v, a) -> toInt(v, a));
        FILTERS.put("lower", (ev, v, a) -> sameKind(v, PyStrings.lower(text(ev, v, a, "lower"))));
        FILTERS.put("upper", (ev, v, a) -> sameKind(v, PyStrings.upper(text(ev, v, a, "upper"))));
        FILTERS.put("pprint", (ev, v, a) -> PyRepr.repr(v));
        FILTERS.put("replace", Filters::replace);
        FILTERS.put("round", (ev, v, a) -> round(v, a));
        FILTERS.put("safe", (ev, v, a) -> v instanceof Markup ? v : new Markup(text(ev, v, a, "safe")));
        FILTERS.put("string", (ev, v, a) -> sameKind(v, text(ev, v, a, "string")));
        FILTERS.put("title", (ev, v, a) -> title(text(ev, v, a, "title")));
        FILTERS.put("tojson", Filters::tojson);
        FILTERS.put("trim", (ev, v, a) -> {
            Object chars = a.bind("trim", new String[] {"chars"}, (Object) null)[0];
            return sameKind(v, PyStrings.strip(ev.text(v), chars == null ? null : Methods.requireString(chars, "trim"),
                    true, true));
        });
        FILTERS.put("truncate", Filters::truncate);
        FILTERS.put("wordcount", (ev, v, a) -> {
            Matcher m = WORD.matcher(text(ev, v, a, "wordcount"));
            long n = 0;
            while (m.find()) {
                n++;
            }
            return n;
        });
    }

    private Filters() {
    }

    static Filter get(String name) {
        return FILTERS.get(name);
    }

    private static Object escapeFilter(Object v, Arguments a) {
        a.bind("escape", NONE);
        return Markup.escape(v);
    }

    /** Markup stays Markup through the filters whose Python implementation returns the same str type. */
    static Object sameKind(Object input, String result) {
        return input instanceof Markup ? new Markup(result) : result;
    }

    private static String text(Evaluator ev, Object v, Arguments a, String name) {
        a.bind(name, NONE);
        return ev.text(v);
    }

    private static Object abs(Object v, Arguments a) {
        a.bind("abs", NONE);
        PyOps.failIfUndefined(v);
        if (v instanceof Double d) {
            return Math.abs(d);
        }
        if (PyOps.isInt(v)) {
            long l = PyOps.toLong(v);
            if (l == Long.MIN_VALUE) {
                throw new TemplateException("integer overflow: templates compute with 64-bit integers");
            }
            return Math.abs(l);
        }
        throw new TemplateException("bad operand type for abs(): '" + PyOps.typeName(v) + "'");
    }

    /** {@code attr} looks up attributes only, never dict items. */
    private static Object attr(Object v, Arguments a, Evaluator ev) {
        String name = Methods.requireString(a.bind("attr", new String[] {"name"}, Arguments.REQUIRED)[0], "attr");
        if (v instanceof Map) {
            Object method = Methods.lookup(v, name, ev.budget);
            return method != null ? method : Undefined.missingAttribute(v, name);
        }
        return Access.attribute(v, name, ev.budget);
    }

    private static Object center(Evaluator ev, Object v, Arguments a) {
        long width = Methods.integer(a.bind("center", new String[] {"width"}, 80L)[0], "center");
        ev.budget.checkSize(width);
        return sameKind(v, PyStrings.center(ev.text(v), (int) width, " "));
    }

    private static Object defaultValue(Evaluator ev, Object v, Arguments a) {
        Object[] p = a.bind("default", new String[] {"default_value", "boolean"}, "", false);
        boolean useDefault = v instanceof Undefined || (PyOps.truthy(p[1]) && !PyOps.truthy(v));
        return useDefault ? p[0] : v;
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&#34;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static Object toFloat(Object v, Arguments a) {
        Object fallback = a.bind("float", new String[] {"default"}, 0.0)[0];
        PyOps.failIfUndefined(v);
        if (PyOps.isNumber(v)) {
            return PyOps.toDouble(v);
        }
        if (v instanceof String s) {
            Double d = parsePythonFloat(s);
            return d != null ? d : fallback;
        }
        return fallback;
    }

    /** Python {@code float(str)}: surrounding whitespace, underscores between digits, inf/nan words. */
    private static Double parsePythonFloat(String s) {
        String t = PyStrings.strip(s, null, true, true).toLowerCase();
        String unsigned = t.startsWith("+") || t.startsWith("-") ? t.substring(1) : t;
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (unsigned.equals("nan")) {
            return Double.NaN;
        }
        if (!t.matches("[+-]?(\\d(_?\\d)*)?(\\.(\\d(_?\\d)*)?)?(e[+-]?\\d(_?\\d)*)?") || !t.matches(".*\\d.*")
                || t.matches("[+-]?e.*") || t.matches("[+-]?\\.e.*")) {
            return null;
        }
        return Double.parseDouble(t.replace("_", ""));
    }

    private static Object toInt(Object v, Arguments a) {
        Object[] p = a.bind("int", new String[] {"default", "base"}, 0L, 10L);
        PyOps.failIfUndefined(v);
        if (PyOps.isInt(v)) {
            return PyOps.toLong(v);
        }
        if (v instanceof Double d) {
            return truncate(d, p[0]);
        }
        if (v instanceof String s) {
            Long parsed = parsePythonInt(s, (int) Methods.integer(p[1], "int"));
            if (parsed != null) {
                return parsed;
            }
            Double d = parsePythonFloat(s);
            return d != null ? truncate(d, p[0]) : p[0];
        }
        return p[0];
    }

    private static Object truncate(double d, Object fallback) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return fallback;
        }
        if (Math.abs(d) >= 9.2e18) {
            throw new TemplateException("integer overflow: templates compute with 64-bit integers");
        }
        return (long) d;
    }

    /** Python {@code int(str, base)}; null where Python raises ValueError. */
    private static Long parsePythonInt(String s, int base) {
        String t = PyStrings.strip(s, null, true, true).toLowerCase();
        boolean negative = t.startsWith("-");
        if (negative || t.startsWith("+")) {
            t = t.substring(1);
        }
        if (base == 0 || base == 16 || base == 8 || base == 2) {
            String prefix = t.length() > 2 ? t.substring(0, 2) : "";
            int prefixBase = switch (prefix) {
                case "0x" -> 16;
                case "0o" -> 8;
                case "0b" -> 2;
                default -> 0;
            };
            if (prefixBase != 0 && (base == 0 || base == prefixBase)) {
                t = t.substring(2);
                base = prefixBase;
                if (t.startsWith("_")) {
                    t = t.substring(1);
                }
            } else if (base == 0) {
                base = 10;
            }
        }
        if (t.isEmpty() || t.startsWith("_") || t.endsWith("_") || t.contains("__") || base < 2 || base > 36) {
            return null;
        }
        try {
            long magnitude = Long.parseLong(t.replace("_", ""), base);
            return negative ? -magnitude : magnitude;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Object format(Evaluator ev, Object v, Arguments a) {
        if (!a.positional().isEmpty() && !a.keywords().isEmpty()) {
            throw new TemplateException("can't handle positional and keyword arguments at the same time");
        }
        Object args = a.keywords().isEmpty() ? new PyTuple(a.positional()) : new LinkedHashMap<Object, Object>(a.keywords());
        return PyArithmetic.binary("%", v instanceof Markup ? v : ev.text(v), args, ev.budget);
    }

    private static Object indent(Evaluator ev, Object v, Arguments a) {
        Object[] p = a.bind("indent", new String[] {"width", "first", "blank"}, 4L, false, false);
        String indentation;
        if (p[0] instanceof String s) {
            indentation = s;
        } else {
            long width = Methods.integer(p[0], "indent");
            ev.budget.checkSize(width);
            indentation = " ".repeat((int) Math.max(0, width));
        }
        // Jinja2 appends a newline first so splitlines keeps a trailing empty line.
        List<String> lines = PyStrings.splitLines(ev.text(v) + "\n", false);
        StringBuilder sb = new StringBuilder();
        if (PyOps.truthy(p[2])) {
            for (int i = 0; i < lines.size(); i++) {
                if (i > 0) {
                    sb.append('\n').append(indentation);
                }
                sb.append(lines.get(i));
                ev.budget.checkSize(sb.length());
            }
        } else {
            sb.append(lines.get(0));
            for (int i = 1; i < lines.size(); i++) {
                sb.append('\n');
                if (!lines.get(i).isEmpty()) {
                    sb.append(indentation).append(lines.get(i));
                }
                ev.budget.checkSize(sb.length());
            }
        }
        String result = sb.toString();
        return sameKind(v, PyOps.truthy(p[1]) ? indentation + result : result);
    }

    private static Object replace(Evaluator ev, Object v, Arguments a) {
        Object[] p = a.bind("replace", new String[] {"old", "new", "count"}, Arguments.REQUIRED, Arguments.REQUIRED, null);
        long count = p[2] == null ? -1 : Methods.integer(p[2], "replace");
        return Methods.replace(ev.text(v), ev.text(p[0]), ev.text(p[1]), count, ev.budget);
    }

    private static Object round(Object v, Arguments a) {
        Object[] p = a.bind("round", new String[] {"precision", "method"}, 0L, "common");
        String method = PyRepr.str(p[1]);
        if (!method.equals("common") && !method.equals("ceil") && !method.equals("floor")) {
            throw new TemplateException("method must be common, ceil or floor");
        }
        PyOps.failIfUndefined(v);
        if (!PyOps.isNumber(v)) {
            throw new TemplateException("type " + PyOps.typeName(v) + " doesn't define __round__ method");
        }
        long precision = Methods.integer(p[0], "round");
        if (method.equals("common")) {
            // Python's round(int, n) stays an int; round(float, n) rounds the exact binary value half-even.
            if (PyOps.isInt(v)) {
                return PyOps.toLong(v);
            }
            double d = (Double) v;
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return d;
            }
            return new BigDecimal(d).setScale((int) precision, RoundingMode.HALF_EVEN).doubleValue();
        }
        double scale = Math.pow(10, precision);
        double scaled = PyOps.toDouble(v) * scale;
        return (method.equals("ceil") ? Math.ceil(scaled) : Math.floor(scaled)) / scale;
    }

    /** Jinja2's title: each chunk after a space, dash or opening bracket gets an upper-case first letter. */
    private static String title(String s) {
        StringBuilder sb = new StringBuilder();
        Matcher m = WORD_BEGINNING.matcher(s);
        int last = 0;
        while (m.find()) {
            sb.append(titleChunk(s.substring(last, m.start()))).append(m.group());
            last = m.end();
        }
        return sb.append(titleChunk(s.substring(last))).toString();
    }

    private static String titleChunk(String chunk) {
        if (chunk.isEmpty()) {
            return chunk;
        }
        int first = chunk.codePointAt(0);
        int n = Character.charCount(first);
        return PyStrings.upper(chunk.substring(0, n)) + PyStrings.lower(chunk.substring(n));
    }

    private static Object tojson(Evaluator ev, Object v, Arguments a) {
        Object[] p = a.bind("tojson", new String[] {"ensure_ascii", "indent", "separators", "sort_keys"}, false, null, null,
                false);
        String indent = switch (p[1]) {
            case null -> null;
            case String s -> s;
            default -> {
                long n = Methods.integer(p[1], "tojson");
                ev.budget.checkSize(n);
                yield " ".repeat((int) Math.max(0, n));
            }
        };
        List<Object> separators = p[2] == null ? null : PyOps.iterate(p[2]);
        return PyJson.dumps(v, indent, separators, PyOps.truthy(p[3]), PyOps.truthy(p[0]), ev.maxChars());
    }

    private static Object truncate(Evaluator ev, Object v, Arguments a) {
        Object[] p = a.bind("truncate", new String[] {"length", "killwords", "end", "leeway"}, 255L, false, "...", 5L);
        String s = ev.text(v);
        long length = Methods.integer(p[0], "truncate");
        String end = ev.text(p[2]);
        long leeway = p[3] == null ? 5 : Methods.integer(p[3], "truncate");
        int endLength = PyStrings.length(end);
        if (length < endLength || leeway < 0) {
            throw new TemplateException("expected length >= " + endLength + " and leeway >= 0");
        }
        if (PyStrings.length(s) <= length + leeway) {
            return s;
        }
        String head = PyStrings.slice(s, 0L, length - endLength, null);
        if (PyOps.truthy(p[1])) {
            return head + end;
        }
        int space = head.lastIndexOf(' ');
        return (space >= 0 ? head.substring(0, space) : head) + end;
    }

}
