package dev.quill.prompts.render;

import dev.quill.prompts.InvalidVariableException;
import dev.quill.prompts.RenderLimitException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies variable values into the only types a sandboxed template may see: String, Boolean,
 * Integer/Long/Double/BigDecimal, unmodifiable List and unmodifiable Map with String keys.
 * Anything else is refused, so no Java object (and none of its methods) can reach a template.
 */
final class SafeValues {
    private final RenderLimits limits;
    private int elements;

    private SafeValues(RenderLimits limits) {
        this.limits = limits;
    }

    /** A safe copy of the top-level variables; null values are dropped (treated as not given). */
    static Map<String, Object> copy(Map<String, ?> variables, RenderLimits limits) {
        SafeValues s = new SafeValues(limits);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : variables.entrySet()) {
            if (e.getKey() == null) {
                throw new InvalidVariableException("(null)", "variable names must not be null");
            }
            if (e.getValue() != null) {
                out.put(e.getKey(), s.convert(e.getKey(), e.getValue(), 1));
            }
        }
        return out;
    }

    private Object convert(String path, Object v, int depth) {
        if (++elements > limits.maxValueElements()) {
            throw new RenderLimitException("value_elements", "the variables hold more than " + limits.maxValueElements()
                    + " values in all (lists, maps and scalars)");
        }
        if (depth > limits.maxValueDepth()) {
            throw new RenderLimitException("value_depth", "variable " + path + " nests lists and maps deeper than "
                    + limits.maxValueDepth() + " levels");
        }
        return switch (v) {
            case null -> "";
            case String s -> s;
            case Character c -> String.valueOf(c);
            case Boolean b -> b;
            case Integer i -> i;
            case Short s -> (int) s;
            case Byte b -> (int) b;
            // Integers that fit become Integer so that {#when}/{#is 3} comparisons with literals match.
            // (Object) casts: a conditional mixing Integer and Long would unbox both to long.
            case Long l -> l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (Object) l.intValue() : (Object) l;
            case BigInteger b -> b.bitLength() < 32 ? (Object) b.intValue()
                    : b.bitLength() < 64 ? (Object) b.longValue() : (Object) new BigDecimal(b);
            case Double d -> finite(path, d);
            case Float f -> finite(path, f.doubleValue());
            case BigDecimal d -> d;
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new InvalidVariableException(path, "map keys must be strings, got " + typeName(e.getKey()));
                    }
                    out.put(key, convert(path + "." + key, e.getValue(), depth + 1));
                }
                yield Collections.unmodifiableMap(out);
            }
            case Collection<?> c -> list(path, c, depth);
            case Object[] a -> list(path, java.util.Arrays.asList(a), depth);
            default -> throw new InvalidVariableException(path, "has a value of type " + typeName(v)
                    + "; allowed are string, number, boolean, list and map");
        };
    }

    private List<Object> list(String path, Collection<?> c, int depth) {
        List<Object> out = new ArrayList<>(Math.min(c.size(), limits.maxValueElements()));
        int i = 0;
        for (Object o : c) {
            out.add(convert(path + "[" + i++ + "]", o, depth + 1));
        }
        return Collections.unmodifiableList(out);
    }

    private static Double finite(String path, double d) {
        if (!Double.isFinite(d)) {
            throw new InvalidVariableException(path, "numbers must be finite, got " + d);
        }
        return d;
    }

    private static String typeName(Object o) {
        return o == null ? "null" : o.getClass().getSimpleName();
    }
}
