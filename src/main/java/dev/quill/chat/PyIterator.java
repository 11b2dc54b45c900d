package dev.quill.chat;

import java.util.List;
import java.util.function.Supplier;

/**
 * A Python one-shot iterator: what Jinja2's {@code map}, {@code select}, {@code selectattr},
 * {@code unique}, {@code items}, {@code batch} and {@code reverse} filters return. It is always
 * truthy, has no length, cannot be indexed or serialized, and is empty once consumed; its items
 * are computed on first use, so errors surface when Python's generator would raise them.
 */
final class PyIterator {
    private final String typeName;
    private Supplier<List<Object>> source;
    private List<Object> items;
    private int position;

    PyIterator(String typeName, Supplier<List<Object>> source) {
        this.typeName = typeName;
        this.source = source;
    }

    String typeName() {
        return typeName;
    }

    private List<Object> items() {
        if (items == null) {
            items = source.get();
            source = null;
        }
        return items;
    }

    /** Consumes and returns everything not consumed yet. */
    List<Object> drain() {
        List<Object> all = items();
        List<Object> rest = all.subList(position, all.size());
        position = all.size();
        return rest;
    }

    /** Python's {@code next(it)}, or {@link Frame#MISSING} when exhausted. */
    Object next() {
        List<Object> all = items();
        return position < all.size() ? all.get(position++) : Frame.MISSING;
    }

    /** Python's {@code x in it}: consumes up to and including the first match. */
    boolean consumeUntil(Object wanted) {
        List<Object> all = items();
        while (position < all.size()) {
            if (PyOps.equal(all.get(position++), wanted)) {
                return true;
            }
        }
        return false;
    }
}
