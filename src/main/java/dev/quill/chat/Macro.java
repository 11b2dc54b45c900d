package dev.quill.chat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A macro value. It renders its body in a fresh scope whose parent is the scope it was defined
 * in, read live, so it sees template variables set after its definition, as in Jinja2.
 */
final class Macro implements TemplateCallable {
    private final Stmt.Macro definition;
    private final Frame closure;
    private final Renderer renderer;

    Macro(Stmt.Macro definition, Frame closure, Renderer renderer) {
        this.definition = definition;
        this.closure = closure;
        this.renderer = renderer;
    }

    /** The macro's name, or null for the anonymous caller of a call block. */
    String name() {
        return definition.name();
    }

    Object attribute(String attribute) {
        return switch (attribute) {
            case "name" -> definition.name();
            case "arguments" -> new PyTuple(new ArrayList<>(definition.params().stream().map(Stmt.Param::name).toList()));
            case "catch_varargs" -> definition.catchesVarargs();
            case "catch_kwargs" -> definition.catchesKwargs();
            default -> Frame.MISSING;
        };
    }

    @Override
    public Object call(Arguments args) {
        String name = definition.name() == null ? "None" : "'" + definition.name() + "'";
        List<Stmt.Param> params = definition.params();
        List<Object> positional = args.positional();
        if (positional.size() > params.size() && !definition.catchesVarargs()) {
            throw new TemplateException("macro " + name + " takes not more than " + params.size() + " argument(s)");
        }
        Frame frame = new Frame(closure);
        Set<String> assigned = new HashSet<>();
        for (int i = 0; i < Math.min(params.size(), positional.size()); i++) {
            frame.set(params.get(i).name(), positional.get(i));
            assigned.add(params.get(i).name());
        }
        Map<String, Object> extraKeywords = new LinkedHashMap<>();
        Object caller = Undefined.because("No caller defined");
        for (Map.Entry<String, Object> kw : args.keywords().entrySet()) {
            String key = kw.getKey();
            boolean isParam = params.stream().anyMatch(p -> p.name().equals(key));
            // A keyword naming a parameter already filled positionally counts as an extra keyword, as in Jinja2.
            if (isParam && assigned.add(key)) {
                frame.set(key, kw.getValue());
            } else if (key.equals("caller") && definition.usesCaller()) {
                caller = kw.getValue();
            } else if (definition.catchesKwargs()) {
                extraKeywords.put(key, kw.getValue());
            } else if (key.equals("caller")) {
                throw new TemplateException("macro " + name + " was invoked with two values for the special caller"
                        + " argument. This is most likely a bug.");
            } else {
                throw new TemplateException("macro " + name + " takes no keyword argument '" + key + "'");
            }
        }
        if (definition.usesCaller()) {
            frame.set("caller", caller);
        }
        for (Stmt.Param param : params) {
            if (assigned.contains(param.name())) {
                continue;
            }
            // Defaults are evaluated per call, seeing the parameters bound before them.
            frame.set(param.name(), param.defaultValue() != null
                    ? renderer.evaluate(param.defaultValue(), frame)
                    : Undefined.because("parameter '" + param.name() + "' was not provided"));
        }
        List<Object> rest = positional.size() > params.size()
                ? new ArrayList<>(positional.subList(params.size(), positional.size())) : List.of();
        frame.set("varargs", new PyTuple(rest));
        frame.set("kwargs", new LinkedHashMap<Object, Object>(extraKeywords));
        return renderer.renderCall(definition.body(), frame);
    }
}
