package dev.quill.chat;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/**
 * Python string formatting: {@code "%s" % x} (the {@code format} filter) and {@code str.format}
 * with the common parts of the format-spec mini-language.
 */
final class PyFormat {
    private PyFormat() {
    }

    /** A parsed format spec: {@code [[fill]align][sign][#][0][width][,|_][.precision][type]}. */
    private record Spec(char fill, char align, char sign, boolean alternate, int width, char grouping, int precision,
            char type) {
    }

    // ---- printf style ----

    static String percent(String format, Object args, RenderBudget budget) {
        List<Object> values = args instanceof PyTuple t ? t.items() : List.of(args == null ? NONE : args);
        Map<Object, Object> mapping = args instanceof Map<?, ?> m ? PyOps.castMap(m) : null;
        StringBuilder out = new StringBuilder();
        int next = 0;
        int i = 0;
        int n = format.length();
        while (i < n) {
            char c = format.charAt(i++);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i >= n) {
                throw new TemplateException("incomplete format");
            }
            Object value = null;
            boolean haveValue = false;
            if (format.charAt(i) == '(') {
                int close = format.indexOf(')', i);
                if (mapping == null || close < 0) {
                    throw new TemplateException("format requires a mapping");
                }
                String key = format.substring(i + 1, close);
                Object found = Access.findKey(mapping, key);
                if (found == Frame.MISSING) {
                    throw new TemplateException("KeyError: " + PyRepr.repr(key));
                }
                value = found;
                haveValue = true;
                i = close + 1;
            }
            char sign = '-';
            char align = '>';
            char fill = ' ';
            boolean alternate = false;
            for (; i < n && "-+ 0#".indexOf(format.charAt(i)) >= 0; i++) {
                switch (format.charAt(i)) {
                    case '-' -> align = '<';
                    case '+' -> sign = '+';
                    case ' ' -> sign = sign == '+' ? '+' : ' ';
                    case '0' -> fill = '0';
                    default -> alternate = true;
                }
            }
            int width = 0;
            if (i < n && format.charAt(i) == '*') {
                width = (int) Methods.integer(values.get(next++), "format");
                i++;
            }
            for (; i < n && Character.isDigit(format.charAt(i)); i++) {
                width = width * 10 + (format.charAt(i) - '0');
            }
            int precision = -1;
            if (i < n && format.charAt(i) == '.') {
                precision = 0;
                for (i++; i < n && Character.isDigit(format.charAt(i)); i++) {
                    precision = precision * 10 + (format.charAt(i) - '0');
                }
            }
            while (i < n && "hlL".indexOf(format.charAt(i)) >= 0) {
                i++;
            }
            if (i >= n) {
                throw new TemplateException("incomplete format");
            }
            char type = format.charAt(i++);
            if (type == '%') {
                out.append('%');
                continue;
            }
            if (!haveValue) {
                if (mapping != null && !(args instanceof PyTuple)) {
                    value = args;
                } else {
                    if (next >= values.size()) {
                        throw new TemplateException("not enough arguments for format string");
                    }
                    value = values.get(next++);
                }
            }
            if (value == NONE) {
                value = null;
            }
            if (fill == '0' && align == '<') {
                fill = ' ';
            }
            char specAlign = fill == '0' && (type != 's' && type != 'r' && type != 'a') ? '=' : align;
            char specFill = specAlign == '=' ? '0' : ' ';
            Spec spec = new Spec(specFill, specAlign, sign, alternate, width, '\0', precision,
                    switch (type) {
                        case 'i', 'u' -> 'd';
                        case 'r', 'a' -> 'r';
                        default -> type;
                    });
            budget.checkSize(Math.max(width, precision));
            out.append(formatValue(value, spec, true));
            budget.checkSize(out.length());
        }
        // Python skips this check when the single argument supports indexing (a list or dict).
        boolean indexable = args instanceof List || args instanceof Map || args instanceof Undefined;
        if (!indexable && next < values.size()) {
            throw new TemplateException("not all arguments converted during string formatting");
        }
        return out.toString();
    }

    /** Stands for None inside argument lists that cannot hold null. */
    private static final Object NONE = new Object();

    // ---- str.format ----

    static String format(String template, List<Object> args, Map<String, Object> kwargs, RenderBudget budget) {
        StringBuilder out = new StringBuilder();
        int auto = 0;
        int i = 0;
        int n = template.length();
        while (i < n) {
            char c = template.charAt(i);
            if (c == '}') {
                if (i + 1 < n && template.charAt(i + 1) == '}') {
                    out.append('}');
                    i += 2;
                    continue;
                }
                throw new TemplateException("Single '}' encountered in format string");
            }
            if (c != '{') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 < n && template.charAt(i + 1) == '{') {
                out.append('{');
                i += 2;
                continue;
            }
            int close = template.indexOf('}', i);
            if (close < 0) {
                throw new TemplateException("Single '{' encountered in format string");
            }
            String field = template.substring(i + 1, close);
            i = close + 1;
            String specText = "";
            int colon = field.indexOf(':');
            if (colon >= 0) {
                specText = field.substring(colon + 1);
                field = field.substring(0, colon);
            }
            char conversion = '\0';
            int bang = field.indexOf('!');
            if (bang >= 0) {
                conversion = field.length() > bang + 1 ? field.charAt(bang + 1) : '\0';
                field = field.substring(0, bang);
            }
            String head = field.split("[.\\[]", 2)[0];
            Object value;
            if (head.isEmpty()) {
                if (auto >= args.size()) {
                    throw new TemplateException("Replacement index " + auto + " out of range for positional args tuple");
                }
                value = args.get(auto++);
            } else if (head.chars().allMatch(Character::isDigit)) {
                int index = Integer.parseInt(head);
                if (index >= args.size()) {
                    throw new TemplateException("Replacement index " + index + " out of range for positional args tuple");
                }
                value = args.get(index);
            } else {
                if (!kwargs.containsKey(head)) {
                    throw new TemplateException("KeyError: " + PyRepr.repr(head));
                }
                value = kwargs.get(head);
            }
            value = resolveFieldPath(value, field.substring(head.length()), budget);
            if (conversion == 'r' || conversion == 'a') {
                value = PyRepr.repr(value);
            } else if (conversion == 's') {
                value = PyRepr.str(value);
            }
            Spec spec = parseSpec(specText);
            budget.checkSize(Math.max(spec.width(), spec.precision()));
            out.append(formatValue(value, spec, false));
            budget.checkSize(out.length());
        }
        return out.toString();
    }

    private static Object resolveFieldPath(Object value, String path, RenderBudget budget) {
        int i = 0;
        while (i < path.length()) {
            if (path.charAt(i) == '.') {
                int end = i + 1;
                while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
                    end++;
                }
                value = Access.attribute(value, path.substring(i + 1, end), budget);
                i = end;
            } else if (path.charAt(i) == '[') {
                int end = path.indexOf(']', i);
                if (end < 0) {
                    throw new TemplateException("Missing ']' in format string");
                }
                String key = path.substring(i + 1, end);
                value = Access.item(value, key.chars().allMatch(Character::isDigit) && !key.isEmpty()
                        ? (Object) Long.parseLong(key) : key, budget);
                i = end + 1;
            } else {
                throw new TemplateException("Only '.' or '[' may follow ']' in format field specifier");
            }
        }
        return value;
    }

    private static Spec parseSpec(String s) {
        int i = 0;
        char fill = ' ';
        char align = '\0';
        if (s.length() >= 2 && "<>=^".indexOf(s.charAt(1)) >= 0) {
            fill = s.charAt(0);
            align = s.charAt(1);
            i = 2;
        } else if (!s.isEmpty() && "<>=^".indexOf(s.charAt(0)) >= 0) {
            align = s.charAt(0);
            i = 1;
        }
        char sign = '-';
        if (i < s.length() && "+- ".indexOf(s.charAt(i)) >= 0) {
            sign = s.charAt(i++);
        }
        boolean alternate = false;
        if (i < s.length() && s.charAt(i) == '#') {
            alternate = true;
            i++;
        }
        if (i < s.length() && s.charAt(i) == '0') {
            if (align == '\0') {
                fill = '0';
                align = '=';
            }
            i++;
        }
        int width = 0;
        for (; i < s.length() && Character.isDigit(s.charAt(i)); i++) {
            width = width * 10 + (s.charAt(i) - '0');
        }
        char grouping = '\0';
        if (i < s.length() && (s.charAt(i) == ',' || s.charAt(i) == '_')) {
            grouping = s.charAt(i++);
        }
        int precision = -1;
        if (i < s.length() && s.charAt(i) == '.') {
            precision = 0;
            for (i++; i < s.length() && Character.isDigit(s.charAt(i)); i++) {
                precision = precision * 10 + (s.charAt(i) - '0');
            }
        }
        char type = '\0';
        if (i < s.length()) {
            type = s.charAt(i++);
        }
        if (i != s.length()) {
            throw new TemplateException("Invalid format specifier '" + s + "'");
        }
        return new Spec(fill, align, sign, alternate, width, grouping, precision, type);
    }

    // ---- shared value formatting ----

    private static String formatValue(Object value, Spec spec, boolean printf) {
        char type = spec.type();
        String body;
        String sign = "";
        boolean numeric = false;
        if (type == 'r') {
            body = PyRepr.repr(value);
        } else if (type == 's' || (type == '\0' && !PyOps.isNumber(value))) {
            body = PyRepr.str(value);
            if (spec.precision() >= 0 && PyStrings.length(body) > spec.precision()) {
                body = PyStrings.slice(body, 0L, (long) spec.precision(), null);
            }
        } else if (type == 'c') {
            body = value instanceof String s ? s : Character.toString((int) Methods.integer(value, "format"));
        } else {
            if (!PyOps.isNumber(value)) {
                PyOps.failIfUndefined(value);
                throw new TemplateException("%" + type + " format: a real number is required, not " + PyOps.typeName(value));
            }
            numeric = true;
            boolean integerType = "dxXob".indexOf(type) >= 0 || (type == '\0' && PyOps.isInt(value));
            if (integerType) {
                long v = PyOps.isInt(value) ? PyOps.toLong(value) : (long) PyOps.toDouble(value);
                if (!printf && !PyOps.isInt(value) && type != '\0') {
                    throw new TemplateException("Unknown format code '" + type + "' for object of type 'float'");
                }
                sign = v < 0 ? "-" : spec.sign() == '-' ? "" : String.valueOf(spec.sign());
                String digits = switch (type) {
                    case 'x' -> Long.toHexString(Math.abs(v));
                    case 'X' -> Long.toHexString(Math.abs(v)).toUpperCase();
                    case 'o' -> Long.toOctalString(Math.abs(v));
                    case 'b' -> Long.toBinaryString(Math.abs(v));
                    default -> Long.toString(v).replace("-", "");
                };
                if (spec.alternate() && "xXob".indexOf(type) >= 0) {
                    sign += "0" + type;
                }
                body = group(digits, spec.grouping());
            } else {
                double d = PyOps.toDouble(value);
                sign = (d < 0 || (d == 0 && 1 / d < 0)) ? "-" : spec.sign() == '-' ? "" : String.valueOf(spec.sign());
                body = formatFloat(Math.abs(d), type, spec.precision(), spec.alternate());
                int dot = body.indexOf('.');
                if (spec.grouping() != '\0' && Character.isDigit(body.charAt(0))) {
                    int end = dot >= 0 ? dot : body.indexOf('e') >= 0 ? body.indexOf('e') : body.length();
                    body = group(body.substring(0, end), spec.grouping()) + body.substring(end);
                }
            }
        }
        return pad(sign, body, spec, numeric);
    }

    private static String formatFloat(double d, char type, int precision, boolean alternate) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            String s = Double.isNaN(d) ? "nan" : "inf";
            return Character.isUpperCase(type) ? s.toUpperCase() : s;
        }
        int p = precision < 0 ? 6 : precision;
        return switch (type) {
            case 'f', 'F' -> fixed(d, p);
            case 'e', 'E' -> {
                String s = exponential(d, p);
                yield type == 'E' ? s.toUpperCase() : s;
            }
            case '%' -> fixed(d * 100, p) + "%";
            case 'g', 'G' -> {
                String s = general(d, precision < 0 ? 6 : Math.max(precision, 1), alternate);
                yield type == 'G' ? s.toUpperCase() : s;
            }
            default -> precision < 0 ? PyRepr.floatRepr(d) : general(d, Math.max(precision, 1), alternate);
        };
    }

    private static String fixed(double d, int precision) {
        return new BigDecimal(d).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String exponential(double d, int precision) {
        if (d == 0) {
            return "0" + (precision > 0 ? "." + "0".repeat(precision) : "") + "e+00";
        }
        BigDecimal rounded = new BigDecimal(d).round(new MathContext(precision + 1, RoundingMode.HALF_EVEN));
        String digits = rounded.unscaledValue().toString();
        int exponent = digits.length() - 1 - rounded.scale();
        digits = (digits + "0".repeat(precision + 1)).substring(0, precision + 1);
        String mantissa = digits.charAt(0) + (precision > 0 ? "." + digits.substring(1) : "");
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    }

    private static String general(double d, int precision, boolean alternate) {
        if (d == 0) {
            return alternate ? "0." + "0".repeat(precision - 1) : "0";
        }
        BigDecimal rounded = new BigDecimal(d).round(new MathContext(precision, RoundingMode.HALF_EVEN));
        int exponent = rounded.precision() - rounded.scale() - 1;
        String s;
        if (exponent >= -4 && exponent < precision) {
            s = fixed(d, precision - 1 - exponent);
        } else {
            s = exponential(d, precision - 1);
        }
        if (!alternate) {
            int e = s.indexOf('e');
            String mantissa = e >= 0 ? s.substring(0, e) : s;
            String tail = e >= 0 ? s.substring(e) : "";
            if (mantissa.contains(".")) {
                mantissa = mantissa.replaceAll("0+$", "");
                if (mantissa.endsWith(".")) {
                    mantissa = mantissa.substring(0, mantissa.length() - 1);
                }
            }
            s = mantissa + tail;
        }
        return s;
    }

    private static String group(String digits, char separator) {
        if (separator == '\0' || digits.length() <= 3) {
            return digits;
        }
        StringBuilder sb = new StringBuilder();
        int first = digits.length() % 3;
        if (first > 0) {
            sb.append(digits, 0, first);
        }
        for (int i = first; i < digits.length(); i += 3) {
            if (sb.length() > 0) {
                sb.append(separator);
            }
            sb.append(digits, i, i + 3);
        }
        return sb.toString();
    }

    private static String pad(String sign, String body, Spec spec, boolean numeric) {
        int len = PyStrings.length(sign) + PyStrings.length(body);
        if (spec.width() <= len) {
            return sign + body;
        }
        int pad = spec.width() - len;
        String fill = String.valueOf(spec.fill());
        char align = spec.align() != '\0' ? spec.align() : numeric ? '>' : '<';
        return switch (align) {
            case '<' -> sign + body + fill.repeat(pad);
            case '^' -> fill.repeat(pad / 2) + sign + body + fill.repeat(pad - pad / 2);
            case '=' -> sign + fill.repeat(pad) + body;
            default -> fill.repeat(pad) + sign + body;
        };
    }
}
