package dev.quill.prompts.format;

import dev.quill.prompts.PromptException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Typed reading of a composed YAML tree, with errors that name the file, the line and the field.
 * Works on SnakeYAML nodes rather than constructed objects so that every value keeps its line.
 */
final class YamlFields {
    private static final int MAX_DEPTH = 20;

    private final String file;
    private final int lineOffset;

    /** @param lineOffset file line of the YAML text's first line, minus one */
    YamlFields(String file, int lineOffset) {
        this.file = file;
        this.lineOffset = lineOffset;
    }

    int line(Node node) {
        return node.getStartMark().getLine() + 1 + lineOffset;
    }

    PromptFormatException error(Node node, String message) {
        return new PromptFormatException(file, node == null ? 0 : line(node), message);
    }

    /** Runs a record constructor, reporting its validation error at the node's line. */
    <T> T build(Node node, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (PromptException | IllegalArgumentException e) {
            throw error(node, e.getMessage());
        }
    }

    /** The entries of a mapping, refusing keys outside {@code allowed} with the list of allowed keys. */
    Map<String, Node> mapping(Node node, String what, Set<String> allowed) {
        if (!(node instanceof MappingNode m)) {
            throw error(node, what + " must be a mapping of key: value lines, got " + describe(node));
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                throw error(t.getKeyNode(), what + " keys must be plain names");
            }
            String key = k.getValue();
            if (out.containsKey(key)) {
                throw error(k, "key '" + key + "' appears twice in " + what);
            }
            if (!allowed.contains(key)) {
                throw error(k, "unknown key '" + key + "' in " + what + "; allowed keys are " + String.join(", ", new TreeSet<>(allowed)));
            }
            out.put(key, t.getValueNode());
        }
        return out;
    }

    boolean isNull(Node n) {
        return n == null || (n instanceof ScalarNode s && s.getTag().equals(Tag.NULL));
    }

    /** Any scalar's text (so {@code description: 2024} is the string "2024"); null for a null node. */
    String string(Node n, String field) {
        if (isNull(n)) {
            return null;
        }
        if (!(n instanceof ScalarNode s)) {
            throw error(n, field + " must be text, got " + describe(n));
        }
        checkTag(s);
        return s.getValue();
    }

    Integer integer(Node n, String field) {
        if (isNull(n)) {
            return null;
        }
        Object v = scalar(n, field);
        if (v instanceof Integer i) {
            return i;
        }
        throw error(n, field + " must be a whole number, got " + describe(n));
    }

    Long longValue(Node n, String field) {
        if (isNull(n)) {
            return null;
        }
        Object v = scalar(n, field);
        if (v instanceof Integer i) {
            return i.longValue();
        }
        if (v instanceof Long l) {
            return l;
        }
        throw error(n, field + " must be a whole number, got " + describe(n));
    }

    Double number(Node n, String field) {
        if (isNull(n)) {
            return null;
        }
        Object v = scalar(n, field);
        if (v instanceof Number num && !(v instanceof BigInteger)) {
            return num.doubleValue();
        }
        throw error(n, field + " must be a number, got " + describe(n));
    }

    boolean bool(Node n, String field, boolean absent) {
        if (isNull(n)) {
            return absent;
        }
        if (scalar(n, field) instanceof Boolean b) {
            return b;
        }
        throw error(n, field + " must be true or false, got " + describe(n));
    }

    /** A list of strings; a single scalar is accepted as a list of one. */
    List<String> strings(Node n, String field) {
        if (isNull(n)) {
            return List.of();
        }
        if (n instanceof ScalarNode) {
            return List.of(string(n, field));
        }
        List<String> out = new ArrayList<>();
        for (Node item : sequence(n, field)) {
            String s = string(item, field + " items");
            if (s == null) {
                throw error(item, field + " items must not be empty");
            }
            out.add(s);
        }
        return out;
    }

    List<Node> sequence(Node n, String field) {
        if (isNull(n)) {
            return List.of();
        }
        if (!(n instanceof SequenceNode s)) {
            throw error(n, field + " must be a list (lines starting with '- '), got " + describe(n));
        }
        return s.getValue();
    }

    /** A free value (variable default or example): string, number, boolean, list or map. */
    Object value(Node n, String field) {
        return value(n, field, 0);
    }

    private Object value(Node n, String field, int depth) {
        if (depth > MAX_DEPTH) {
            throw error(n, field + " nests deeper than " + MAX_DEPTH + " levels");
        }
        if (isNull(n)) {
            return null;
        }
        return switch (n) {
            case ScalarNode s -> scalar(s, field);
            case SequenceNode s -> {
                List<Object> out = new ArrayList<>();
                for (Node item : s.getValue()) {
                    out.add(value(item, field, depth + 1));
                }
                yield Collections.unmodifiableList(out);
            }
            case MappingNode m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (NodeTuple t : m.getValue()) {
                    out.put(string(t.getKeyNode(), field + " keys"), value(t.getValueNode(), field, depth + 1));
                }
                yield Collections.unmodifiableMap(out);
            }
            default -> throw error(n, field + ": unsupported YAML node");
        };
    }

    private Object scalar(Node n, String field) {
        if (!(n instanceof ScalarNode s)) {
            throw error(n, field + " must be a single value, got " + describe(n));
        }
        checkTag(s);
        String v = s.getValue();
        Tag tag = s.getTag();
        try {
            if (tag.equals(Tag.INT)) {
                BigInteger b = new BigInteger(v.startsWith("+") ? v.substring(1) : v);
                return b.bitLength() < 32 ? (Object) b.intValue() : b.bitLength() < 64 ? (Object) b.longValue() : (Object) b;
            }
            if (tag.equals(Tag.FLOAT)) {
                return Double.parseDouble(v);
            }
        } catch (NumberFormatException e) {
            throw error(n, field + ": '" + v + "' is not a number");
        }
        if (tag.equals(Tag.BOOL)) {
            return Boolean.parseBoolean(v.toLowerCase(java.util.Locale.ROOT));
        }
        if (tag.equals(Tag.NULL)) {
            return null;
        }
        return v;
    }

    private void checkTag(ScalarNode s) {
        Tag t = s.getTag();
        if (!(t.equals(Tag.STR) || t.equals(Tag.INT) || t.equals(Tag.FLOAT) || t.equals(Tag.BOOL) || t.equals(Tag.NULL))) {
            throw error(s, "YAML tag " + t + " is not allowed; use plain text, numbers, true/false, lists and mappings");
        }
    }

    String describe(Node n) {
        return switch (n) {
            case null -> "nothing";
            case ScalarNode s when s.getTag().equals(Tag.NULL) -> "nothing";
            case ScalarNode s -> s.getTag().equals(Tag.STR) ? "the text '" + abbreviate(s.getValue()) + "'" : "'" + s.getValue() + "'";
            case SequenceNode s -> "a list";
            case MappingNode m -> "a mapping";
            default -> "an unsupported value";
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
