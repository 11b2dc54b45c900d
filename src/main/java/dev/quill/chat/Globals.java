package dev.quill.chat;

import java.time.Clock;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The global functions templates see: Jinja2's ({@code range}, {@code dict}, {@code namespace},
 * {@code joiner}) plus the two Hugging Face adds ({@code raise_exception}, {@code strftime_now}).
 * Context variables of the same name take precedence.
 */
final class Globals {
    private Globals() {
    }

    static Map<String, Object> create(Clock clock) {
        Map<String, Object> g = new HashMap<>();
        g.put("range", (TemplateCallable) Globals::range);
        g.put("dict", (TemplateCallable) Globals::dict);
        g.put("namespace", (TemplateCallable) Globals::namespace);
        g.put("joiner", (TemplateCallable) Globals::joiner);
        g.put("raise_exception", (TemplateCallable) args -> {
            Object message = args.bind("raise_exception", new String[] {"message"}, Arguments.REQUIRED)[0];
            throw new TemplateRaisedException(PyRepr.str(message));
        });
        g.put("strftime_now", (TemplateCallable) args -> {
            Object format = args.bind("strftime_now", new String[] {"format"}, Arguments.REQUIRED)[0];
            return Strftime.format(Methods.requireString(format, "strftime_now"), LocalDateTime.now(clock));
        });
        return g;
    }

    private static Object range(Arguments args) {
        if (!args.keywords().isEmpty()) {
            throw new TemplateException("range() takes no keyword arguments");
        }
        List<Object> a = args.positional();
        if (a.isEmpty() || a.size() > 3) {
            throw new TemplateException("range expected 1 to 3 arguments, got " + a.size());
        }
        long[] v = new long[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = Methods.integer(a.get(i), "range");
        }
        return switch (v.length) {
            case 1 -> new RangeList(0, v[0], 1);
            case 2 -> new RangeList(v[0], v[1], 1);
            default -> new RangeList(v[0], v[1], v[2]);
        };
    }

    private static Object dict(Arguments args) {
        Map<Object, Object> out = new LinkedHashMap<>();
        if (args.positional().size() > 1) {
            throw new TemplateException("dict expected at most 1 argument, got " + args.positional().size());
        }
        if (args.positional().size() == 1) {
            Object source = args.positional().get(0);
            if (source instanceof Map<?, ?> m) {
                out.putAll(PyOps.castMap(m));
            } else {
                for (Object pair : PyOps.iterate(source)) {
                    List<Object> kv = PyOps.iterate(pair);
                    if (kv.size() != 2) {
                        throw new TemplateException("dictionary update sequence element has length " + kv.size() + "; 2 is required");
                    }
                    out.put(kv.get(0), kv.get(1));
                }
            }
        }
        out.putAll(args.keywords());
        return out;
    }

    private static Object namespace(Arguments args) {
        Namespace ns = new Namespace();
        for (Object initial : args.positional()) {
            if (!(initial instanceof Map<?, ?> m)) {
                throw new TemplateException("namespace() positional arguments must be mappings");
            }
            m.forEach((k, v) -> ns.attributes.put(PyRepr.str(k), v));
        }
        ns.attributes.putAll(args.keywords());
        return ns;
    }

    private static Object joiner(Arguments args) {
        String separator = PyRepr.str(args.bind("joiner", new String[] {"sep"}, ", ")[0]);
        boolean[] used = {false};
        return (TemplateCallable) callArgs -> {
            if (!used[0]) {
                used[0] = true;
                return "";
            }
            return separator;
        };
    }
}
