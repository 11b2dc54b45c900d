package dev.quill.chat;

import java.util.HashMap;
import java.util.Map;

/**
 * A variable scope. Jinja2 opens one per loop iteration, macro call and with-block; if-blocks
 * share their enclosing scope. Lookups fall back to the parent; assignments stay local.
 */
final class Frame {
    /** Returned by {@link #lookup} for a name bound nowhere (null is Python's None). */
    static final Object MISSING = new Object();

    private final Frame parent;
    private final Map<String, Object> variables = new HashMap<>();

    Frame(Frame parent) {
        this.parent = parent;
    }

    Object lookup(String name) {
        for (Frame f = this; f != null; f = f.parent) {
            Map<String, Object> vars = f.variables;
            Object value = vars.get(name);
            if (value != null || vars.containsKey(name)) {
                return value;
            }
        }
        return MISSING;
    }

    void set(String name, Object value) {
        variables.put(name, value);
    }
}
