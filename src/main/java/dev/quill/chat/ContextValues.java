package dev.quill.chat;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sandbox boundary: copies caller data into plain template values (None, bool, int, float,
 * str, list, dict). Anything else is refused, so templates can never reach a Java object, and
 * templates cannot change the caller's collections.
 */
final class ContextValues {
    private static final int MAX_DEPTH = 100;

    private ContextValues() {
    }

    static Object convert(Object value) {
        return convert(value, 0);
    }

    private static Object convert(Object value, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("template context nested deeper than " + MAX_DEPTH + " levels");
        }
        return switch (value) {
            case null -> null;
            case String s -> s;
            case CharSequence cs -> cs.toString();
            case Character c -> c.toString();
            case Boolean b -> b;
            case Integer i -> i.longValue();
            case Long l -> l;
            case Short s -> s.longValue();
            case Byte b -> b.longValue();
            case BigInteger bi -> {
                if (bi.bitLength() >= 64) {
                    throw new IllegalArgumentException("integer " + bi + " does not fit in 64 bits");
                }
                yield bi.longValue();
            }
            case Double d -> d;
            case Float f -> f.doubleValue();
            case BigDecimal bd -> bd.doubleValue();
            case ChatMessage m -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                map.put("role", m.role());
                map.put("content", m.content());
                yield map;
            }
            case Map<?, ?> m -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    Object key = convert(e.getKey(), depth + 1);
                    if (key instanceof List || key instanceof Map) {
                        throw new IllegalArgumentException("template context map keys must be strings, numbers or booleans");
                    }
                    map.put(key, convert(e.getValue(), depth + 1));
                }
                yield map;
            }
            case Iterable<?> it -> {
                List<Object> list = new ArrayList<>();
                for (Object item : it) {
                    list.add(convert(item, depth + 1));
                }
                yield list;
            }
            default -> {
                if (value.getClass().isArray()) {
                    List<Object> list = new ArrayList<>();
                    for (int i = 0; i < Array.getLength(value); i++) {
                        list.add(convert(Array.get(value, i), depth + 1));
                    }
                    yield list;
                }
                throw new IllegalArgumentException("unsupported template context value of type "
                        + value.getClass().getName() + "; use strings, numbers, booleans, lists and maps");
            }
        };
    }
}
