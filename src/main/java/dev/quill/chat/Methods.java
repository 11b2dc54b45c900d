package dev.quill.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Python methods templates may call on strings, dicts and lists. Mutating methods are refused
 * as unsafe, as in the immutable sandbox Hugging Face renders with.
 */
final class Methods {
    private static final Set<String> STRING_METHODS = Set.of(
            "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "upper", "lower",
            "casefold", "title", "capitalize", "swapcase", "replace", "find", "rfind", "index", "rindex", "count", "join",
            "format", "isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isspace", "isupper", "islower",
            "zfill", "center", "ljust", "rjust", "removeprefix", "removesuffix", "partition", "rpartition");
    private static final Set<String> DICT_METHODS = Set.of("items", "keys", "values", "get", "copy");
    private static final Set<String> DICT_MUTATORS = Set.of("clear", "pop", "popitem", "setdefault", "update");
    private static final Set<String> LIST_METHODS = Set.of("index", "count", "copy");
    private static final Set<String> LIST_MUTATORS = Set.of("append", "clear", "extend", "insert", "pop", "remove",
            "reverse", "sort");

    private Methods() {
    }

    /** A method of {@code receiver} named {@code name}; an unsafe undefined for mutators; null if none. */
    static Object lookup(Object receiver, String name, RenderBudget budget) {
        boolean known = switch (receiver) {
            case null -> false;
            case String s -> STRING_METHODS.contains(name);
            case Markup m -> STRING_METHODS.contains(name);
            case Map<?, ?> m -> DICT_METHODS.contains(name);
            case PyTuple t -> name.equals("index") || name.equals("count");
            case List<?> l -> LIST_METHODS.contains(name);
            default -> false;
        };
        if (known) {
            return new BoundMethod(receiver, name, budget);
        }
        if ((receiver instanceof Map && DICT_MUTATORS.contains(name))
                || (receiver instanceof List && LIST_MUTATORS.contains(name))) {
            return Undefined.unsafe(receiver, name);
        }
        return null;
    }

    /** {@code receiver.name} bound, ready to call. */
    record BoundMethod(Object receiver, String name, RenderBudget budget) implements TemplateCallable {
        @Override
        public Object call(Arguments args) {
            return switch (receiver) {
                case String s -> stringMethod(s, name, args, budget);
                // Markup methods work on the text; their results are plain strings here.
                case Markup m -> stringMethod(m.text(), name, args, budget);
                case Map<?, ?> m -> dictMethod(PyOps.castMap(m), name, args);
                default -> listMethod(PyOps.items(receiver), receiver instanceof PyTuple, name, args);
            };
        }
    }

    private static Object dictMethod(Map<Object, Object> map, String name, Arguments args) {
        switch (name) {
            case "items" -> {
                args.bind("items", new String[0]);
                List<Object> out = new ArrayList<>(map.size());
                map.forEach((k, v) -> out.add(PyTuple.of(k, v)));
                return new DictView("dict_items", out);
            }
            case "keys" -> {
                args.bind("keys", new String[0]);
                return new DictView("dict_keys", new ArrayList<>(map.keySet()));
            }
            case "values" -> {
                args.bind("values", new String[0]);
                return new DictView("dict_values", new ArrayList<>(map.values()));
            }
            case "get" -> {
                Object[] a = args.bind("get", new String[] {"key", "default"}, Arguments.REQUIRED, null);
                Object found = Access.findKey(map, a[0]);
                return found == Frame.MISSING ? a[1] : found;
            }
            default -> {
                args.bind("copy", new String[0]);
                return new LinkedHashMap<>(map);
            }
        }
    }

    private static Object listMethod(List<Object> items, boolean tuple, String name, Arguments args) {
        switch (name) {
            case "index" -> {
                Object x = args.bind("index", new String[] {"value"}, Arguments.REQUIRED)[0];
                for (int i = 0; i < items.size(); i++) {
                    if (PyOps.equal(items.get(i), x)) {
                        return (long) i;
                    }
                }
                throw new TemplateException(PyRepr.repr(x) + " is not in " + (tuple ? "tuple" : "list"));
            }
            case "count" -> {
                Object x = args.bind("count", new String[] {"value"}, Arguments.REQUIRED)[0];
                return items.stream().filter(o -> PyOps.equal(o, x)).count();
            }
            default -> {
                args.bind("copy", new String[0]);
                return new ArrayList<>(items);
            }
        }
    }

    private static Object stringMethod(String s, String name, Arguments args, RenderBudget budget) {
        switch (name) {
            case "strip", "lstrip", "rstrip" -> {
                Object chars = args.bind(name, new String[] {"chars"}, (Object) null)[0];
                return PyStrings.strip(s, optionalString(chars, name), !name.equals("rstrip"), !name.equals("lstrip"));
            }
            case "split", "rsplit" -> {
                Object[] a = args.bind(name, new String[] {"sep", "maxsplit"}, null, -1L);
                String sep = optionalString(a[0], name);
                long max = integer(a[1], name);
                return name.equals("split") ? PyStrings.split(s, sep, max) : PyStrings.rsplit(s, sep, max);
            }
            case "splitlines" -> {
                Object keep = args.bind(name, new String[] {"keepends"}, false)[0];
                return new ArrayList<Object>(PyStrings.splitLines(s, PyOps.truthy(keep)));
            }
            case "startswith", "endswith" -> {
                Object[] a = args.bind(name, new String[] {"prefix", "start", "end"}, Arguments.REQUIRED, null, null);
                String part = a[1] == null && a[2] == null ? s : PyStrings.slice(s, optionalInt(a[1]), optionalInt(a[2]), null);
                List<Object> candidates = a[0] instanceof PyTuple t ? t.items() : List.of(requireString(a[0], name));
                for (Object c : candidates) {
                    String affix = requireString(c, name);
                    if (name.equals("startswith") ? part.startsWith(affix) : part.endsWith(affix)) {
                        return true;
                    }
                }
                return false;
            }
            case "upper" -> {
                return PyStrings.upper(noArgs(s, name, args));
            }
            case "lower", "casefold" -> {
                return PyStrings.lower(noArgs(s, name, args));
            }
            case "title" -> {
                return PyStrings.title(noArgs(s, name, args));
            }
            case "capitalize" -> {
                return PyStrings.capitalize(noArgs(s, name, args));
            }
            case "swapcase" -> {
                StringBuilder sb = new StringBuilder();
                noArgs(s, name, args).codePoints().forEach(cp -> sb.append(Character.isUpperCase(cp)
                        ? PyStrings.lower(Character.toString(cp)) : PyStrings.upper(Character.toString(cp))));
                return sb.toString();
            }
            case "replace" -> {
                Object[] a = args.bind(name, new String[] {"old", "new", "count"}, Arguments.REQUIRED, Arguments.REQUIRED, -1L);
                return replace(s, requireString(a[0], name), requireString(a[1], name), integer(a[2], name), budget);
            }
            case "find", "rfind", "index", "rindex", "count" -> {
                Object[] a = args.bind(name, new String[] {"sub", "start", "end"}, Arguments.REQUIRED, null, null);
                return search(s, name, requireString(a[0], name), optionalInt(a[1]), optionalInt(a[2]));
            }
            case "join" -> {
                Object iterable = args.bind(name, new String[] {"iterable"}, Arguments.REQUIRED)[0];
                List<Object> parts = PyOps.iterate(iterable);
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < parts.size(); i++) {
                    if (!(PyOps.unwrapMarkup(parts.get(i)) instanceof String part)) {
                        throw new TemplateException("sequence item " + i + ": expected str instance, "
                                + PyOps.typeName(parts.get(i)) + " found");
                    }
                    if (i > 0) {
                        sb.append(s);
                    }
                    sb.append(part);
                    budget.checkSize(sb.length());
                }
                return sb.toString();
            }
            case "format" -> {
                return PyFormat.format(s, args.positional(), args.keywords(), budget);
            }
            case "isdigit", "isdecimal", "isnumeric" -> {
                return PyStrings.allMatch(noArgs(s, name, args), Character::isDigit);
            }
            case "isalpha" -> {
                return PyStrings.allMatch(noArgs(s, name, args), Character::isLetter);
            }
            case "isalnum" -> {
                return PyStrings.allMatch(noArgs(s, name, args), Character::isLetterOrDigit);
            }
            case "isspace" -> {
                return PyStrings.allMatch(noArgs(s, name, args), PyStrings::isSpace);
            }
            case "isupper", "islower" -> {
                return PyStrings.isCase(noArgs(s, name, args), name.equals("isupper"));
            }
            case "zfill" -> {
                long width = integer(args.bind(name, new String[] {"width"}, Arguments.REQUIRED)[0], name);
                int len = PyStrings.length(s);
                if (width <= len) {
                    return s;
                }
                budget.checkSize(width);
                int signLen = !s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-') ? 1 : 0;
                return s.substring(0, signLen) + "0".repeat((int) (width - len)) + s.substring(signLen);
            }
            case "center", "ljust", "rjust" -> {
                Object[] a = args.bind(name, new String[] {"width", "fillchar"}, Arguments.REQUIRED, " ");
                long width = integer(a[0], name);
                String fill = requireString(a[1], name);
                if (PyStrings.length(fill) != 1) {
                    throw new TemplateException("The fill character must be exactly one character long");
                }
                budget.checkSize(width);
                int pad = (int) Math.max(0, width - PyStrings.length(s));
                return switch (name) {
                    case "center" -> PyStrings.center(s, (int) width, fill);
                    case "ljust" -> s + fill.repeat(pad);
                    default -> fill.repeat(pad) + s;
                };
            }
            case "removeprefix" -> {
                String prefix = requireString(args.bind(name, new String[] {"prefix"}, Arguments.REQUIRED)[0], name);
                return s.startsWith(prefix) ? s.substring(prefix.length()) : s;
            }
            case "removesuffix" -> {
                String suffix = requireString(args.bind(name, new String[] {"suffix"}, Arguments.REQUIRED)[0], name);
                return s.endsWith(suffix) && !suffix.isEmpty() ? s.substring(0, s.length() - suffix.length()) : s;
            }
            default -> {
                String sep = requireString(args.bind(name, new String[] {"sep"}, Arguments.REQUIRED)[0], name);
                if (sep.isEmpty()) {
                    throw new TemplateException("empty separator");
                }
                int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (at < 0) {
                    return name.equals("partition") ? PyTuple.of(s, "", "") : PyTuple.of("", "", s);
                }
                return PyTuple.of(s.substring(0, at), sep, s.substring(at + sep.length()));
            }
        }
    }

    private static String noArgs(String s, String name, Arguments args) {
        args.bind(name, new String[0]);
        return s;
    }

    /** Python {@code str.replace}, including the empty-pattern case and a count limit. */
    static String replace(String s, String old, String replacement, long count, RenderBudget budget) {
        StringBuilder sb = new StringBuilder();
        long done = 0;
        if (old.isEmpty()) {
            int[] cps = s.codePoints().toArray();
            for (int cp : cps) {
                if (count < 0 || done < count) {
                    sb.append(replacement);
                    done++;
                }
                sb.appendCodePoint(cp);
                budget.checkSize(sb.length());
            }
            if (count < 0 || done < count) {
                sb.append(replacement);
            }
            return sb.toString();
        }
        int from = 0;
        while (count < 0 || done < count) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            sb.append(s, from, at).append(replacement);
            budget.checkSize(sb.length());
            from = at + old.length();
            done++;
        }
        return sb.append(s, from, s.length()).toString();
    }

    private static Object search(String s, String name, String sub, Long start, Long end) {
        int[] cps = s.codePoints().toArray();
        PyStrings.Slice range = PyStrings.Slice.of(cps.length, start, end, null);
        int from = range.start();
        String part = new String(cps, from, range.count());
        if (name.equals("count")) {
            if (sub.isEmpty()) {
                return (long) PyStrings.length(part) + 1;
            }
            long n = 0;
            for (int i = part.indexOf(sub); i >= 0; i = part.indexOf(sub, i + sub.length())) {
                n++;
            }
            return n;
        }
        int at = name.startsWith("r") ? part.lastIndexOf(sub) : part.indexOf(sub);
        if (at < 0) {
            if (name.endsWith("index")) {
                throw new TemplateException("substring not found");
            }
            return -1L;
        }
        return (long) from + part.codePointCount(0, at);
    }

    static String requireString(Object v, String function) {
        if (PyOps.unwrapMarkup(v) instanceof String s) {
            return s;
        }
        PyOps.failIfUndefined(v);
        throw new TemplateException(function + "() argument must be str, not " + PyOps.typeName(v));
    }

    private static String optionalString(Object v, String function) {
        return v == null ? null : requireString(v, function);
    }

    static long integer(Object v, String function) {
        if (PyOps.isInt(v)) {
            return PyOps.toLong(v);
        }
        PyOps.failIfUndefined(v);
        throw new TemplateException(function + "() expected an integer, got " + PyOps.typeName(v));
    }

    private static Long optionalInt(Object v) {
        return v == null ? null : integer(v, "slice");
    }
}
