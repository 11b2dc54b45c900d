package dev.quill.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One metadata value with its exact GGUF type, so that a file can be rewritten unchanged.
 *
 * <p>Scalars are boxed Java values: UINT8/INT8/UINT16/INT16/INT32 as {@link Integer}, UINT32 and
 * the 64-bit integers as {@link Long} (UINT64 keeps its bit pattern), FLOAT32 as {@link Float},
 * FLOAT64 as {@link Double}, BOOL as {@link Boolean}, STRING as {@link String}. Arrays are stored
 * as compact primitive arrays ({@code byte[]} for UINT8/INT8/BOOL, {@code short[]} for 16-bit,
 * {@code int[]} for 32-bit integers, {@code long[]} for 64-bit, {@code float[]}, {@code double[]},
 * {@code String[]}) and nested arrays as {@code MetadataValue[]}.
 */
public record MetadataValue(GgufValueType type, GgufValueType elementType, Object value) {
    public MetadataValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if (type == GgufValueType.ARRAY) {
            Objects.requireNonNull(elementType, "elementType of an array");
        } else if (elementType != null) {
            throw new IllegalArgumentException("only arrays have an element type");
        }
    }

    public static MetadataValue of(GgufValueType type, Object value) {
        return new MetadataValue(type, null, value);
    }

    public static MetadataValue string(String s) {
        return of(GgufValueType.STRING, s);
    }

    public static MetadataValue uint32(long v) {
        return of(GgufValueType.UINT32, v);
    }

    public static MetadataValue int32(int v) {
        return of(GgufValueType.INT32, v);
    }

    public static MetadataValue float32(float v) {
        return of(GgufValueType.FLOAT32, v);
    }

    public static MetadataValue bool(boolean v) {
        return of(GgufValueType.BOOL, v);
    }

    public static MetadataValue array(GgufValueType elementType, Object array) {
        return new MetadataValue(GgufValueType.ARRAY, elementType, array);
    }

    public static MetadataValue stringArray(String[] values) {
        return array(GgufValueType.STRING, values);
    }

    public static MetadataValue float32Array(float[] values) {
        return array(GgufValueType.FLOAT32, values);
    }

    public static MetadataValue int32Array(int[] values) {
        return array(GgufValueType.INT32, values);
    }

    /** Number of elements when this is an array, else 1. */
    public int length() {
        if (type != GgufValueType.ARRAY) {
            return 1;
        }
        return java.lang.reflect.Array.getLength(value);
    }

    /** A short human-readable rendering (arrays are abbreviated). */
    public String describe(int maxItems) {
        if (type == GgufValueType.STRING) {
            return quote((String) value, 200);
        }
        if (type == GgufValueType.UINT64) {
            return Long.toUnsignedString((Long) value);
        }
        if (type != GgufValueType.ARRAY) {
            return String.valueOf(value);
        }
        int n = length();
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Math.min(n, maxItems); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            Object item = element(i);
            if (item instanceof String s) {
                sb.append(quote(s, 40));
            } else if (item instanceof MetadataValue mv) {
                sb.append(mv.describe(maxItems));
            } else {
                sb.append(item);
            }
        }
        if (n > maxItems) {
            sb.append(", ... ").append(n - maxItems).append(" more");
        }
        return sb.append("] (").append(elementType.name().toLowerCase()).append(" × ").append(n).append(')').toString();
    }

    /**
     * Element {@code i} of an array as the GGUF type means it: the compact primitive arrays hold
     * unsigned values in signed Java types and booleans as bytes.
     */
    private Object element(int i) {
        return switch (value) {
            case byte[] b when elementType == GgufValueType.BOOL -> b[i] != 0;
            case byte[] b when elementType == GgufValueType.UINT8 -> b[i] & 0xFF;
            case short[] s when elementType == GgufValueType.UINT16 -> s[i] & 0xFFFF;
            case int[] a when elementType == GgufValueType.UINT32 -> Integer.toUnsignedLong(a[i]);
            case long[] a when elementType == GgufValueType.UINT64 && a[i] < 0 -> new java.math.BigInteger(Long.toUnsignedString(a[i]));
            default -> java.lang.reflect.Array.get(value, i);
        };
    }

    private static String quote(String s, int max) {
        boolean cut = s.length() > max;
        String shown = cut ? s.substring(0, max) : s;
        return '"' + escape(shown).replace("\"", "\\\"") + (cut ? "…" : "") + '"' + (cut ? " (" + s.length() + " chars)" : "");
    }

    /**
     * Backslash-escapes control characters, so that text from an untrusted file printed to a
     * terminal cannot break lines or smuggle escape sequences.
     */
    static String escape(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String replacement = switch (c) {
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                default -> Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : null;
            };
            if (replacement != null && sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (sb != null) {
                if (replacement != null) {
                    sb.append(replacement);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MetadataValue other) || other.type != type || other.elementType != elementType) {
            return false;
        }
        return Objects.deepEquals(new Object[] {value}, new Object[] {other.value});
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, elementType, Arrays.deepHashCode(new Object[] {value}));
    }
}
