package dev.quill.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Attribute ({@code x.name}) and item ({@code x[key]}) access with Jinja2's sandboxed rules:
 * dot access prefers attributes (so {@code d.items} is the method), subscripts prefer items, each
 * falls back to the other, and a miss yields {@link Undefined}. Only the str/dict/list methods in
 * {@link Methods} exist; dunder names are refused as unsafe, so no Java object is ever reachable.
 */
final class Access {
    private Access() {
    }

    /** The value stored under {@code key}, treating 1, 1.0 and True as one key as Python does. */
    static Object findKey(Map<Object, Object> map, Object key) {
        key = PyOps.unwrapMarkup(key);
        Object value = map.get(key);
        if (value != null || map.containsKey(key)) {
            return value;
        }
        if (PyOps.isNumber(key)) {
            for (Map.Entry<Object, Object> e : map.entrySet()) {
                if (PyOps.isNumber(e.getKey()) && PyOps.equal(e.getKey(), key)) {
                    return e.getValue();
                }
            }
        }
        return Frame.MISSING;
    }

    static Object attribute(Object target, String name, RenderBudget budget) {
        if (target instanceof Undefined u) {
            throw u.error();
        }
        Object method = Methods.lookup(target, name, budget);
        if (method != null) {
            return method;
        }
        Object found = switch (target) {
            case null -> Frame.MISSING;
            case Map<?, ?> m -> findKey(PyOps.castMap(m), name);
            case Namespace ns -> ns.attributes.containsKey(name) ? ns.attributes.get(name) : Frame.MISSING;
            case LoopContext loop -> loop.attribute(name);
            case PyTuple tuple -> tuple.field(name);
            case Macro macro -> macro.attribute(name);
            default -> Frame.MISSING;
        };
        if (found != Frame.MISSING) {
            return found;
        }
        if (name.startsWith("__")) {
            return Undefined.unsafe(target, name);
        }
        return Undefined.missingAttribute(target, name);
    }

    static Object item(Object target, Object key, RenderBudget budget) {
        if (target instanceof Undefined u) {
            throw u.error();
        }
        if (target instanceof Map<?, ?> m) {
            Object found = key instanceof List || key instanceof Map ? Frame.MISSING : findKey(PyOps.castMap(m), key);
            if (found != Frame.MISSING) {
                return found;
            }
        } else if (PyOps.isInt(key) && (PyOps.isSequence(target) || PyOps.isStr(target))) {
            long index = PyOps.toLong(key);
            if (PyOps.isStr(target)) {
                String c = PyStrings.at((String) PyOps.unwrapMarkup(target), index);
                if (c == null) {
                    return Undefined.missingItem(target, key);
                }
                return target instanceof Markup ? new Markup(c) : c;
            }
            List<Object> items = PyOps.items(target);
            long i = index < 0 ? index + items.size() : index;
            return i >= 0 && i < items.size() ? items.get((int) i) : Undefined.missingItem(target, key);
        }
        if (key instanceof String name) {
            return attribute(target, name, budget);
        }
        return Undefined.missingItem(target, key);
    }

    static Object slice(Object target, Object start, Object stop, Object step) {
        if (target instanceof Undefined u) {
            throw u.error();
        }
        Long from = sliceIndex(start);
        Long to = sliceIndex(stop);
        Long by = sliceIndex(step);
        if (target instanceof String s) {
            return PyStrings.slice(s, from, to, by);
        }
        if (target instanceof Markup m) {
            return new Markup(PyStrings.slice(m.text(), from, to, by));
        }
        if (PyOps.isSequence(target)) {
            List<Object> items = PyOps.items(target);
            PyStrings.Slice sl = PyStrings.Slice.of(items.size(), from, to, by);
            List<Object> out = new ArrayList<>(sl.count());
            for (int k = 0; k < sl.count(); k++) {
                out.add(items.get(sl.index(k)));
            }
            return target instanceof PyTuple ? new PyTuple(out) : out;
        }
        return Undefined.because(PyOps.objectTypeName(target) + " cannot be sliced");
    }

    private static Long sliceIndex(Object v) {
        if (v == null) {
            return null;
        }
        if (PyOps.isInt(v)) {
            return PyOps.toLong(v);
        }
        PyOps.failIfUndefined(v);
        throw new TemplateException("slice indices must be integers or None");
    }
}
