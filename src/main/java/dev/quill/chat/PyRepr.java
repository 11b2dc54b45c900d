package dev.quill.chat;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Python's {@code str()} and {@code repr()} of template values, as Jinja2 prints them. */
final class PyRepr {
    private PyRepr() {
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
        appendRepr(v, sb, maxChars, Collections.newSetFromMap(new IdentityHashMap<>()));
        return sb.toString();
    }

    /**
     * {@code printing} holds the containers being printed, so a namespace that contains itself
     * prints {@code {...}} like Python instead of recursing forever.
     */
    private static void appendRepr(Object v, StringBuilder sb, long maxChars, Set<Object> printing) {
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

    private static void appendReprOnce(Object v, StringBuilder sb, long maxChars, Set<Object> printing) {
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
            Set<Object> printing) {
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
}
