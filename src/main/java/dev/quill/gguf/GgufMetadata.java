package dev.quill.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The key/value metadata of a GGUF file, in file order, with typed accessors. */
public final class GgufMetadata {
    private final Map<String, MetadataValue> values;

    public GgufMetadata(Map<String, MetadataValue> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Map<String, MetadataValue> asMap() {
        return values;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public MetadataValue get(String key) {
        return values.get(key);
    }

    private MetadataValue require(String key) {
        MetadataValue v = values.get(key);
        if (v == null) {
            throw new GgufFormatException("metadata key " + key + " is missing");
        }
        return v;
    }

    private static GgufFormatException wrongType(String key, MetadataValue v, String expected) {
        String actual = v.type() == GgufValueType.ARRAY ? "array of " + v.elementType() : v.type().name();
        return new GgufFormatException("metadata key " + key + " has type " + actual + ", expected " + expected);
    }

    public String getString(String key) {
        MetadataValue v = require(key);
        if (v.type() != GgufValueType.STRING) {
            throw wrongType(key, v, "STRING");
        }
        return (String) v.value();
    }

    public String getString(String key, String defaultValue) {
        return contains(key) ? getString(key) : defaultValue;
    }

    /** Any integer type, checked to fit an int. */
    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new GgufFormatException("metadata key " + key + " = " + v + " does not fit a 32-bit integer");
        }
        return (int) v;
    }

    public int getInt(String key, int defaultValue) {
        return contains(key) ? getInt(key) : defaultValue;
    }

    /** Any integer type. */
    public long getLong(String key) {
        MetadataValue v = require(key);
        return switch (v.type()) {
            case UINT8, INT8, UINT16, INT16, INT32 -> ((Integer) v.value()).longValue();
            case UINT32, INT64 -> (Long) v.value();
            case UINT64 -> {
                long raw = (Long) v.value();
                if (raw < 0) {
                    throw new GgufFormatException("metadata key " + key + " = " + Long.toUnsignedString(raw) + " is too large");
                }
                yield raw;
            }
            default -> throw wrongType(key, v, "an integer");
        };
    }

    public long getLong(String key, long defaultValue) {
        return contains(key) ? getLong(key) : defaultValue;
    }

    /** FLOAT32, FLOAT64 or an integer type. */
    public float getFloat(String key) {
        MetadataValue v = require(key);
        return switch (v.type()) {
            case FLOAT32 -> (Float) v.value();
            case FLOAT64 -> ((Double) v.value()).floatValue();
            case UINT8, INT8, UINT16, INT16, INT32, UINT32, INT64, UINT64 -> (float) getLong(key);
            default -> throw wrongType(key, v, "a number");
        };
    }

    public float getFloat(String key, float defaultValue) {
        return contains(key) ? getFloat(key) : defaultValue;
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        if (!contains(key)) {
            return defaultValue;
        }
        MetadataValue v = require(key);
        if (v.type() != GgufValueType.BOOL) {
            throw wrongType(key, v, "BOOL");
        }
        return (Boolean) v.value();
    }

    private MetadataValue requireArray(String key, String expected, GgufValueType... elementTypes) {
        MetadataValue v = require(key);
        if (v.type() == GgufValueType.ARRAY) {
            for (GgufValueType t : elementTypes) {
                if (v.elementType() == t) {
                    return v;
                }
            }
        }
        throw wrongType(key, v, expected);
    }

    public String[] getStringArray(String key) {
        return (String[]) requireArray(key, "array of STRING", GgufValueType.STRING).value();
    }

    public float[] getFloatArray(String key) {
        MetadataValue v = requireArray(key, "array of FLOAT32", GgufValueType.FLOAT32, GgufValueType.FLOAT64);
        if (v.value() instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
        return (float[]) v.value();
    }

    /** An array of any integer element type up to 32 bits, as ints. */
    public int[] getIntArray(String key) {
        MetadataValue v = requireArray(key, "array of integers", GgufValueType.INT32, GgufValueType.UINT32,
                GgufValueType.INT8, GgufValueType.UINT8, GgufValueType.INT16, GgufValueType.UINT16);
        Object a = v.value();
        if (a instanceof int[] ints) {
            return ints;
        }
        int n = java.lang.reflect.Array.getLength(a);
        int[] out = new int[n];
        boolean unsigned = v.elementType() == GgufValueType.UINT8 || v.elementType() == GgufValueType.UINT16;
        for (int i = 0; i < n; i++) {
            if (a instanceof byte[] b) {
                out[i] = unsigned ? b[i] & 0xFF : b[i];
            } else if (a instanceof short[] s) {
                out[i] = unsigned ? s[i] & 0xFFFF : s[i];
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "GgufMetadata" + values.keySet();
    }
}
