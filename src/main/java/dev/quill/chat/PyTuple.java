package dev.quill.chat;

import java.util.Arrays;
import java.util.List;

/**
 * A Python tuple: a sequence like a list, but printed with parentheses and never equal to a
 * list. {@code fieldNames} (or null) names the items of a named tuple such as the
 * {@code (grouper, list)} pairs of {@code groupby}.
 */
record PyTuple(List<Object> items, List<String> fieldNames) {
    PyTuple(List<Object> items) {
        this(items, null);
    }

    static PyTuple of(Object... items) {
        return new PyTuple(Arrays.asList(items));
    }

    /** The item a field name refers to, or {@link Frame#MISSING}. */
    Object field(String name) {
        int index = fieldNames == null ? -1 : fieldNames.indexOf(name);
        return index < 0 ? Frame.MISSING : items.get(index);
    }
}
