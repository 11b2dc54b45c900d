package dev.quill.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A JSON request body read field by field, so that every problem gets a 400 naming the field:
 * malformed JSON, a field of the wrong type, an unknown field. JSON {@code null} counts as absent,
 * as in OpenAI's API.
 */
public final class JsonRequest {
    private final ObjectNode node;
    private final String prefix;

    private JsonRequest(ObjectNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    /** Parses a request body, which must be one JSON object. */
    public static JsonRequest parse(ObjectMapper mapper, String body) {
        if (body == null || body.isBlank()) {
            throw ApiException.invalid(null, "the request body is empty: send a JSON object");
        }
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new ApiException(400, "invalid_request_error", null, "invalid_json",
                    "the request body is not valid JSON" + where + ": " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ApiException(400, "invalid_request_error", null, "invalid_json",
                    "the request body must be a JSON object, got " + typeName(root));
        }
        return new JsonRequest((ObjectNode) root, "");
    }

    /** A nested object, e.g. {@code stream_options}; field names in errors get its path as prefix. */
    public static JsonRequest nested(JsonNode node, String path) {
        if (!node.isObject()) {
            throw ApiException.invalid(path, path + " must be an object, got " + typeName(node));
        }
        return new JsonRequest((ObjectNode) node, path + ".");
    }

    /**
     * Refuses every field not in {@code known}. Fields in {@code unsupported} are named as not
     * implemented; others as unrecognized.
     */
    public void allowOnly(Set<String> known, Set<String> unsupported) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (known.contains(name)) {
                continue;
            }
            if (unsupported.contains(name)) {
                if (isPresent(name)) {
                    throw ApiException.unsupported(prefix + name, prefix + name + " is not supported by Quill");
                }
                continue;
            }
            throw ApiException.unsupported(prefix + name, "Unrecognized request argument supplied: " + prefix + name);
        }
    }

    /** The object itself, for a caller that rewrites a request before checking it. */
    public ObjectNode node() {
        return node;
    }

    public boolean isPresent(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    public JsonNode get(String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    public String string(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw wrongType(name, "a string", v);
        }
        return v.textValue();
    }

    public String requiredString(String name) {
        String s = string(name);
        if (s == null) {
            throw missing(name, "a string");
        }
        return s;
    }

    public Boolean bool(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw wrongType(name, "a boolean", v);
        }
        return v.booleanValue();
    }

    public Integer integer(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() && !(v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()))) {
            throw wrongType(name, "an integer", v);
        }
        if (!v.canConvertToInt()) {
            throw ApiException.invalid(prefix + name, prefix + name + " is out of range: " + v.asText());
        }
        return v.intValue();
    }

    public Long longValue(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(name, "a 64-bit integer", v);
        }
        return v.longValue();
    }

    public Float number(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw wrongType(name, "a number", v);
        }
        return v.floatValue();
    }

    /** A string, or an array of strings, as a list; null when absent. */
    public List<String> stringOrStrings(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (v.isTextual()) {
            return List.of(v.textValue());
        }
        if (!v.isArray()) {
            throw wrongType(name, "a string or an array of strings", v);
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (!item.isTextual()) {
                throw ApiException.invalid(prefix + name, prefix + name + "[" + i + "] must be a string, got " + typeName(item));
            }
            out.add(item.textValue());
        }
        return out;
    }

    public ApiException missing(String name, String what) {
        return new ApiException(400, "invalid_request_error", prefix + name, "missing_required_parameter",
                "Missing required parameter: " + prefix + name + " (" + what + ")");
    }

    public ApiException wrongType(String name, String expected, JsonNode got) {
        return new ApiException(400, "invalid_request_error", prefix + name, "invalid_type",
                prefix + name + " must be " + expected + ", got " + typeName(got));
    }

    public static String typeName(JsonNode n) {
        if (n == null || n.getNodeType() == JsonNodeType.MISSING) {
            return "nothing";
        }
        return switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
