package dev.quill.chat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Jinja2's filters over sequences and mappings: selection, mapping, sorting, aggregation. Those
 * Jinja2 writes as Python generators return a {@link PyIterator}.
 */
final class SequenceFilters {
    private static final String[] NONE = new String[0];

    private SequenceFilters() {
    }

    static void register(Map<String, Filters.Filter> filters) {
        filters.put("batch", SequenceFilters::batch);
        filters.put("count", SequenceFilters::length);
        filters.put("length", SequenceFilters::length);
        filters.put("dictsort", SequenceFilters::dictsort);
        filters.put("groupby", SequenceFilters::groupby);
        filters.put("first", (ev, v, a) -> firstOrLast(v, a, true));
        filters.put("last", (ev, v, a) -> firstOrLast(v, a, false));
        filters.put("items", (ev, v, a) -> items(v, a));
        filters.put("join", SequenceFilters::join);
        filters.put("list", (ev, v, a) -> {
            a.bind("list", NONE);
            return new ArrayList<>(PyOps.iterate(v));
        });
        filters.put("map", SequenceFilters::map);
        filters.put("max", (ev, v, a) -> minOrMax(ev, v, a, false));
        filters.put("min", (ev, v, a) -> minOrMax(ev, v, a, true));
        filters.put("reject", (ev, v, a) -> select(ev, v, a, false, false));
        filters.put("rejectattr", (ev, v, a) -> select(ev, v, a, false, true));
        filters.put("select", (ev, v, a) -> select(ev, v, a, true, false));
        filters.put("selectattr", (ev, v, a) -> select(ev, v, a, true, true));
        filters.put("reverse", (ev, v, a) -> reverse(v, a));
        filters.put("sort", SequenceFilters::sort);
        filters.put("sum", SequenceFilters::sum);
        filters.put("unique", SequenceFilters::unique);
    }

    private static Object batch(Evaluator ev, Object v, Arguments a) {
        Object[] p = a.bind("batch", new String[] {"linecount", "fill_with"}, Arguments.REQUIRED, Frame.MISSING);
        long size = Methods.integer(p[0], "batch");
        if (size <= 0) {
            throw new TemplateException("batch size must be positive");
        }
        return generator(() -> batches(v, size, p[1]));
    }

    private static List<Object> batches(Object v, long size, Object fill) {
        List<Object> out = new ArrayList<>();
        List<Object> current = new ArrayList<>();
        for (Object item : PyOps.iterate(v)) {
            if (current.size() == size) {
                out.add(current);
                current = new ArrayList<>();
            }
            current.add(item);
        }
        if (!current.isEmpty()) {
            if (fill != Frame.MISSING) {
                while (current.size() < size) {
                    current.add(fill);
                }
            }
            out.add(current);
        }
        return out;
    }

    private static Object length(Evaluator ev, Object v, Arguments a) {
        a.bind("length", NONE);
        return (long) PyOps.length(v);
    }

    private static Object dictsort(Evaluator ev, Object v, Arguments a) {
        Object[] p = a.bind("dictsort", new String[] {"case_sensitive", "by", "reverse"}, false, "key", false);
        if (!(v instanceof Map<?, ?> m)) {
            throw new TemplateException("dictsort requires a mapping, got " + PyOps.typeName(v));
        }
        int position = switch (PyRepr.str(p[1])) {
            case "key" -> 0;
            case "value" -> 1;
            default -> throw new TemplateException("You can only sort by either \"key\" or \"value\"");
        };
        boolean caseSensitive = PyOps.truthy(p[0]);
        List<Object> pairs = new ArrayList<>();
        m.forEach((k, val) -> pairs.add(PyTuple.of(k, val)));
        Function<Object, Object> key = pair -> {
            Object part = ((PyTuple) pair).items().get(position);
            return caseSensitive ? part : ignoreCase(part);
        };
        return sorted(pairs, key, PyOps.truthy(p[2]));
    }

    /** {@code groupby}: sorted by the attribute, as (grouper, list) named tuples. */
    private static Object groupby(Evaluator ev, Object v, Arguments a) {
        Object[] p = a.bind("groupby", new String[] {"attribute", "default", "case_sensitive"}, Arguments.REQUIRED, null,
                false);
        boolean caseSensitive = PyOps.truthy(p[2]);
        Function<Object, Object> getter = attributeGetter(ev, p[0], p[1]);
        Function<Object, Object> key = item -> caseSensitive ? getter.apply(item) : ignoreCase(getter.apply(item));
        List<Object> groups = new ArrayList<>();
        Object currentKey = Frame.MISSING;
        List<Object> current = null;
        for (Object item : sorted(new ArrayList<>(PyOps.iterate(v)), key, false)) {
            Object k = key.apply(item);
            if (current == null || !PyOps.equal(k, currentKey)) {
                current = new ArrayList<>();
                currentKey = k;
                // The grouper is the first item's own value, not its lower-cased sort key.
                groups.add(new PyTuple(java.util.Arrays.asList(getter.apply(item), current), List.of("grouper", "list")));
            }
            current.add(item);
        }
        return groups;
    }

    private static Object ignoreCase(Object v) {
        return v instanceof String s ? PyStrings.lower(s) : v;
    }

    private static Object firstOrLast(Object v, Arguments a, boolean first) {
        a.bind(first ? "first" : "last", NONE);
        if (v instanceof PyIterator it) {
            if (!first) {
                throw new TemplateException("'" + it.typeName() + "' object is not reversible");
            }
            Object next = it.next();
            return next != Frame.MISSING ? next : Undefined.because("No first item, sequence was empty.");
        }
        List<Object> items = PyOps.iterate(v);
        if (items.isEmpty()) {
            return Undefined.because(first ? "No first item, sequence was empty." : "No last item, sequence was empty.");
        }
        return items.get(first ? 0 : items.size() - 1);
    }

    private static Object items(Object v, Arguments a) {
        a.bind("items", NONE);
        return generator(() -> {
            if (v instanceof Undefined) {
                return List.of();
            }
            if (!(v instanceof Map<?, ?> m)) {
                throw new TemplateException("Can only get item pairs from a mapping.");
            }
            List<Object> out = new ArrayList<>(m.size());
            m.forEach((k, val) -> out.add(PyTuple.of(k, val)));
            return out;
        });
    }

    /** Jinja2 implements these filters as Python generators; see {@link PyIterator}. */
    private static PyIterator generator(Supplier<List<Object>> items) {
        return new PyIterator("generator", items);
    }

    private static Object join(Evaluator ev, Object v, Arguments a) {
        Object[] p = a.bind("join", new String[] {"d", "attribute"}, "", null);
        String separator = ev.text(p[0]);
        Function<Object, Object> getter = p[1] == null ? Function.identity() : attributeGetter(ev, p[1], null);
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object item : PyOps.iterate(v)) {
            if (!first) {
                sb.append(separator);
            }
            first = false;
            sb.append(ev.text(getter.apply(item)));
            ev.budget.checkSize(sb.length());
        }
        return sb.toString();
    }

    /**
     * Jinja2's attribute getter: dotted path, integer parts used as indexes, each step an item
     * lookup falling back to an attribute; {@code fallback} replaces an undefined result.
     */
    private static Function<Object, Object> attributeGetter(Evaluator ev, Object attribute, Object fallback) {
        List<Object> parts = new ArrayList<>();
        if (attribute instanceof String s) {
            for (String part : s.split("\\.", -1)) {
                parts.add(!part.isEmpty() && part.chars().allMatch(Character::isDigit) ? (Object) Long.parseLong(part) : part);
            }
        } else {
            parts.add(attribute);
        }
        return item -> {
            Object current = item;
            for (Object part : parts) {
                current = Access.item(current, part, ev.budget);
                if (fallback != null && current instanceof Undefined) {
                    current = fallback;
                }
            }
            return current;
        };
    }

    private static Object map(Evaluator ev, Object v, Arguments a) {
        Function<Object, Object> mapper;
        if (a.positional().isEmpty() && a.keywords().containsKey("attribute")) {
            Arguments rest = a.withoutKeywords("attribute", "default");
            if (!rest.keywords().isEmpty()) {
                throw new TemplateException("Unexpected keyword argument '" + rest.keywords().keySet().iterator().next() + "'");
            }
            mapper = attributeGetter(ev, a.keywords().get("attribute"), a.keywords().get("default"));
        } else {
            if (a.positional().isEmpty()) {
                throw new TemplateException("map requires a filter argument");
            }
            String filter = Methods.requireString(a.positional().get(0), "map");
            Arguments rest = a.dropFirst(1);
            mapper = item -> ev.callFilter(filter, item, rest);
        }
        Function<Object, Object> map = mapper;
        return generator(() -> {
            List<Object> out = new ArrayList<>();
            if (PyOps.truthy(v)) {
                for (Object item : PyOps.iterate(v)) {
                    out.add(map.apply(item));
                }
            }
            return out;
        });
    }

    private static Object select(Evaluator ev, Object v, Arguments a, boolean keep, boolean byAttribute) {
        Function<Object, Object> transform = Function.identity();
        int offset = 0;
        if (byAttribute) {
            if (a.positional().isEmpty()) {
                throw new TemplateException("Missing parameter for attribute name");
            }
            transform = attributeGetter(ev, a.positional().get(0), null);
            offset = 1;
        }
        Predicate<Object> predicate;
        if (a.positional().size() > offset) {
            String test = Methods.requireString(a.positional().get(offset), "select");
            Arguments rest = a.dropFirst(offset + 1);
            predicate = item -> ev.applyTest(test, item, rest);
        } else {
            predicate = PyOps::truthy;
        }
        Function<Object, Object> getter = transform;
        Predicate<Object> test = predicate;
        return generator(() -> {
            List<Object> out = new ArrayList<>();
            if (PyOps.truthy(v)) {
                for (Object item : PyOps.iterate(v)) {
                    if (test.test(getter.apply(item)) == keep) {
                        out.add(item);
                    }
                }
            }
            return out;
        });
    }

    private static Object minOrMax(Evaluator ev, Object v, Arguments a, boolean min) {
        Object[] p = a.bind(min ? "min" : "max", new String[] {"case_sensitive", "attribute"}, false, null);
        List<Object> items = PyOps.iterate(v);
        if (items.isEmpty()) {
            return Undefined.because("No aggregated item, sequence was empty.");
        }
        Function<Object, Object> getter = p[1] == null ? Function.identity() : attributeGetter(ev, p[1], null);
        boolean caseSensitive = PyOps.truthy(p[0]);
        Object best = items.get(0);
        Object bestKey = key(getter.apply(best), caseSensitive);
        for (Object item : items.subList(1, items.size())) {
            Object k = key(getter.apply(item), caseSensitive);
            if (PyOps.compare(min ? "<" : ">", k, bestKey)) {
                best = item;
                bestKey = k;
            }
        }
        return best;
    }

    private static Object key(Object v, boolean caseSensitive) {
        return caseSensitive ? v : ignoreCase(v);
    }

    private static Object reverse(Object v, Arguments a) {
        a.bind("reverse", NONE);
        if (PyOps.isStr(v)) {
            return Filters.sameKind(v, PyStrings.slice(PyRepr.str(v), null, null, -1L));
        }
        List<Object> out = new ArrayList<>(PyOps.iterate(v));
        Collections.reverse(out);
        // Python's reversed() gives a one-shot iterator; only iterators themselves become a list.
        return v instanceof PyIterator ? out : new PyIterator("reversed", () -> out);
    }

    private static Object sort(Evaluator ev, Object v, Arguments a) {
        Object[] p = a.bind("sort", new String[] {"reverse", "case_sensitive", "attribute"}, false, false, null);
        boolean caseSensitive = PyOps.truthy(p[1]);
        List<Function<Object, Object>> getters = new ArrayList<>();
        if (p[2] instanceof String s) {
            for (String part : s.split(",", -1)) {
                getters.add(attributeGetter(ev, part, null));
            }
        } else {
            getters.add(p[2] == null ? Function.identity() : attributeGetter(ev, p[2], null));
        }
        Function<Object, Object> key = item -> {
            List<Object> keys = new ArrayList<>(getters.size());
            for (Function<Object, Object> g : getters) {
                keys.add(key(g.apply(item), caseSensitive));
            }
            return keys;
        };
        return sorted(new ArrayList<>(PyOps.iterate(v)), key, PyOps.truthy(p[0]));
    }

    /** Python's stable {@code sorted(items, key=key, reverse=reverse)}. */
    private static List<Object> sorted(List<Object> items, Function<Object, Object> key, boolean reverse) {
        List<Object[]> decorated = new ArrayList<>(items.size());
        for (Object item : items) {
            decorated.add(new Object[] {key.apply(item), item});
        }
        Comparator<Object[]> byKey = (x, y) -> PyOps.order(x[0], y[0], "<");
        try {
            decorated.sort(reverse ? byKey.reversed() : byKey);
        } catch (IllegalArgumentException e) {
            throw new TemplateException("cannot sort values that do not have a consistent order");
        }
        List<Object> out = new ArrayList<>(items.size());
        for (Object[] d : decorated) {
            out.add(d[1]);
        }
        return out;
    }

    private static Object sum(Evaluator ev, Object v, Arguments a) {
        Object[] p = a.bind("sum", new String[] {"attribute", "start"}, null, 0L);
        Function<Object, Object> getter = p[0] == null ? Function.identity() : attributeGetter(ev, p[0], null);
        Object total = p[1];
        for (Object item : PyOps.iterate(v)) {
            total = PyArithmetic.binary("+", total, getter.apply(item), ev.budget);
        }
        return total;
    }

    private static Object unique(Evaluator ev, Object v, Arguments a) {
        Object[] p = a.bind("unique", new String[] {"case_sensitive", "attribute"}, false, null);
        Function<Object, Object> getter = p[1] == null ? Function.identity() : attributeGetter(ev, p[1], null);
        boolean caseSensitive = PyOps.truthy(p[0]);
        return generator(() -> {
            Set<Object> seen = new HashSet<>();
            List<Object> out = new ArrayList<>();
            for (Object item : PyOps.iterate(v)) {
                if (seen.add(PyOps.hashKey(key(getter.apply(item), caseSensitive)))) {
                    out.add(item);
                }
            }
            return out;
        });
    }
}
