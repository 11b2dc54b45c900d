package dev.quill.chat;

import java.util.List;

/** Statement nodes of a parsed template. */
sealed interface Stmt {
    int line();

    record Text(String text, int line) implements Stmt {
    }

    record Print(Expr expr, int line) implements Stmt {
    }

    /** if/elif chains: {@code conditions.get(i)} guards {@code bodies.get(i)}. */
    record If(List<Expr> conditions, List<List<Stmt>> bodies, List<Stmt> otherwise, int line) implements Stmt {
    }

    record For(Target target, Expr iterable, Expr filter, boolean recursive, List<Stmt> body, List<Stmt> otherwise,
            int line) implements Stmt {
    }

    record Set(Target target, Expr value, int line) implements Stmt {
    }

    /** {@code {% set x | filters %}body{% endset %}}; {@code filter} is null without filters. */
    record SetBlock(Target target, Expr filter, List<Stmt> body, int line) implements Stmt {
    }

    /**
     * A macro definition; the flags record whether the body reads {@code varargs}, {@code kwargs}
     * and {@code caller}, which decides (as in Jinja2) which extra arguments it accepts. A null
     * name is the anonymous {@code caller} of a call block.
     */
    record Macro(String name, List<Param> params, List<Stmt> body, boolean catchesVarargs, boolean catchesKwargs,
            boolean usesCaller, int line) implements Stmt {
    }

    /** {@code {% call(params) macro(args) %}body{% endcall %}}: body becomes {@code caller}. */
    record CallBlock(Expr.Call call, List<Param> params, List<Stmt> body, boolean catchesVarargs, boolean catchesKwargs,
            boolean usesCaller, int line) implements Stmt {
    }

    record FilterBlock(Expr filter, List<Stmt> body, int line) implements Stmt {
    }

    record With(List<Target> targets, List<Expr> values, List<Stmt> body, int line) implements Stmt {
    }

    /** A body without a scope of its own, e.g. Hugging Face's {@code {% generation %}} marker. */
    record Block(List<Stmt> body, int line) implements Stmt {
    }

    /**
     * {@code {% block name [scoped] %}}: without template inheritance Jinja2 renders a block in
     * place, in its own scope that sees template-level variables (and loop variables only when
     * {@code scoped}).
     */
    record NamedBlock(String name, boolean scoped, List<Stmt> body, int line) implements Stmt {
    }

    /** include/import/extends: parsed, but failing when reached, since there is no template loader. */
    record LoaderRequired(int line) implements Stmt {
    }

    record Break(int line) implements Stmt {
    }

    record Continue(int line) implements Stmt {
    }

    /** A macro parameter; {@code defaultValue} is null when the parameter is required. */
    record Param(String name, Expr defaultValue) {
    }

    /** Where an assignment stores: a name, a tuple of targets, or a namespace attribute. */
    sealed interface Target {
        record Name(String name) implements Target {
        }

        record Tuple(List<Target> items) implements Target {
        }

        record NamespaceAttribute(String namespace, String attribute) implements Target {
        }
    }
}
