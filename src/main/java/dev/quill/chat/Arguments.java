package dev.quill.chat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Evaluated call arguments, bound to parameters the way Python binds them. */
record Arguments(List<Object> positional, Map<String, Object> keywords) {
    /** Marks a parameter without a default. */
    static final Object REQUIRED = new Object();
    static final Arguments NONE = new Arguments(List.of(), Map.of());

    static Arguments of(Object... positional) {
        return new Arguments(java.util.Arrays.asList(positional), Map.of());
    }

    /**
     * Binds to parameters {@code names} with {@code defaults} (same length; {@link #REQUIRED}
     * where there is none), failing like Python on extra, duplicate or missing arguments.
     */
    Object[] bind(String function, String[] names, Object... defaults) {
        if (positional.size() > names.length) {
            throw new TemplateException(function + "() takes at most " + names.length + " argument(s) ("
                    + positional.size() + " given)");
        }
        Object[] bound = new Object[names.length];
        boolean[] set = new boolean[names.length];
        for (int i = 0; i < positional.size(); i++) {
            bound[i] = positional.get(i);
            set[i] = true;
        }
        for (Map.Entry<String, Object> kw : keywords.entrySet()) {
            int index = indexOf(names, kw.getKey());
            if (index < 0) {
                throw new TemplateException(function + "() got an unexpected keyword argument '" + kw.getKey() + "'");
            }
            if (set[index]) {
                throw new TemplateException(function + "() got multiple values for argument '" + kw.getKey() + "'");
            }
            bound[index] = kw.getValue();
            set[index] = true;
        }
        for (int i = 0; i < names.length; i++) {
            if (!set[i]) {
                if (defaults[i] == REQUIRED) {
                    throw new TemplateException(function + "() missing required argument '" + names[i] + "'");
                }
                bound[i] = defaults[i];
            }
        }
        return bound;
    }

    private static int indexOf(String[] names, String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** These arguments with {@code first} prepended (a filter's input is its first argument). */
    Arguments prepend(Object first) {
        List<Object> all = new java.util.ArrayList<>(positional.size() + 1);
        all.add(first);
        all.addAll(positional);
        return new Arguments(all, keywords);
    }

    Arguments dropFirst(int count) {
        return new Arguments(positional.subList(Math.min(count, positional.size()), positional.size()), keywords);
    }

    Arguments withoutKeywords(String... removed) {
        Map<String, Object> rest = new LinkedHashMap<>(keywords);
        for (String r : removed) {
            rest.remove(r);
        }
        return new Arguments(positional, rest);
    }
}
