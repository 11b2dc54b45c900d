package dev.quill.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps}, which Hugging Face's {@code tojson} filter calls with
 * {@code ensure_ascii=False}: no HTML escaping (unlike Jinja2's own tojson), Python's default
 * separators {@code ", "} and {@code ": "} (or {@code ","} between items when indenting), floats
 * as Python repr, NaN/Infinity spelled as Python does.
 */
final class PyJson {
    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;
    private final boolean ensureAscii;
    private final long maxChars;
    private final StringBuilder out = new StringBuilder();

    private PyJson(String indent, String itemSeparator, String keySeparator, boolean sortKeys, boolean ensureAscii,
            long maxChars) {
        this.indent = indent;
        this.itemSeparator = itemSeparator;
        this.keySeparator = keySeparator;
        this.sortKeys = sortKeys;
        this.ensureAscii = ensureAscii;
        this.maxChars = maxChars;
    }

    /**
     * @param indent     null for single-line output, else the text repeated per nesting level
     * @param separators null for Python's defaults, else (item separator, key separator)
     */
    static String dumps(Object value, String indent, List<Object> separators, boolean sortKeys, boolean ensureAscii,
            long maxChars) {
        String item = indent == null ? ", " : ",";
        String key = ": ";
        if (separators != null) {
            if (separators.size() != 2 || !(separators.get(0) instanceof String a) || !(separators.get(1) instanceof String b)) {
                throw new TemplateException("tojson separators must be a pair of strings");
            }
            item = a;
            key = b;
        }
        PyJson json = new PyJson(indent, item, key, sortKeys, ensureAscii, maxChars);
        json.write(value, 0);
        return json.out.toString();
    }

    private void write(Object value, int level) {
        if (out.length() > maxChars) {
            throw new TemplateException("template output exceeded the limit of " + maxChars + " characters");
        }
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Long l -> out.append(l);
            case Double d -> out.append(floatText(d));
            case String s -> writeString(s);
            case Markup m -> writeString(m.text());
            case Map<?, ?> m -> writeObject(PyOps.castMap(m), level);
            default -> {
                if (!PyOps.isSequence(value) || value instanceof RangeList) {
                    throw new TemplateException("Object of type " + PyOps.typeName(value) + " is not JSON serializable");
                }
                List<Object> items = PyOps.items(value);
                if (items.isEmpty()) {
                    out.append("[]");
                    return;
                }
                out.append('[');
                for (int i = 0; i < items.size(); i++) {
                    if (i > 0) {
                        out.append(itemSeparator);
                    }
                    newline(level + 1);
                    write(items.get(i), level + 1);
                }
                newline(level);
                out.append(']');
            }
        }
    }

    private void writeObject(Map<Object, Object> map, int level) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<Object, Object>> entries = new ArrayList<>(map.entrySet());
        if (sortKeys) {
            entries.sort((x, y) -> PyOps.order(x.getKey(), y.getKey(), "<"));
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<Object, Object> e : entries) {
            if (!first) {
                out.append(itemSeparator);
            }
            first = false;
            newline(level + 1);
            writeString(keyText(e.getKey()));
            out.append(keySeparator);
            write(e.getValue(), level + 1);
        }
        newline(level);
        out.append('}');
    }

    /** JSON object keys: Python converts None/bool/int/float keys to their JSON spelling. */
    private static String keyText(Object key) {
        return switch (key) {
            case String s -> s;
            case Markup m -> m.text();
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            case Long l -> l.toString();
            case Double d -> floatText(d);
            default -> throw new TemplateException("keys must be str, int, float, bool or None, not " + PyOps.typeName(key));
        };
    }

    private static String floatText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return PyRepr.floatRepr(d);
    }

    private void newline(int level) {
        if (indent != null) {
            out.append('\n');
            for (int i = 0; i < level; i++) {
                out.append(indent);
            }
        }
    }

    private void writeString(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7E)) {
                        // UTF-16 units are exactly the \\u escapes (surrogate pairs included) Python emits.
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
