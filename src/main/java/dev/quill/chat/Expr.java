package dev.quill.chat;

import java.util.List;

/** Expression nodes of a parsed template; every node remembers its source line for errors. */
sealed interface Expr {
    int line();

    record Literal(Object value, int line) implements Expr {
    }

    record Name(String name, int line) implements Expr {
    }

    record ListLiteral(List<Expr> items, int line) implements Expr {
    }

    record TupleLiteral(List<Expr> items, int line) implements Expr {
    }

    record DictLiteral(List<Expr> keys, List<Expr> values, int line) implements Expr {
    }

    /** {@code target.name}: attribute first, then item, as Jinja2's getattr does. */
    record Attribute(Expr target, String name, int line) implements Expr {
    }

    /** {@code target[key]}: item first, then attribute; {@code key} may be a {@link Slice}. */
    record Item(Expr target, Expr key, int line) implements Expr {
    }

    /** Only valid as the key of an {@link Item}; absent bounds are null. */
    record Slice(Expr start, Expr stop, Expr step, int line) implements Expr {
    }

    record Call(Expr callee, List<Expr> args, List<Keyword> keywords, int line) implements Expr {
    }

    /** {@code input | name(args)}; a null input stands for the value a filter block or set block pipes in. */
    record Filter(Expr input, String name, List<Expr> args, List<Keyword> keywords, int line) implements Expr {
    }

    /** {@code input is name(args)}. */
    record Test(Expr input, String name, List<Expr> args, List<Keyword> keywords, int line) implements Expr {
    }

    /** Unary {@code -}, {@code +} or {@code not}. */
    record Unary(String op, Expr operand, int line) implements Expr {
    }

    /** Arithmetic, {@code ~}, {@code and} and {@code or}. */
    record Binary(String op, Expr left, Expr right, int line) implements Expr {
    }

    /**
     * {@code base ** exponent}. {@code constantBase} marks a base Jinja2's optimizer folds to a
     * constant while the exponent is not: Jinja2 then emits Python source like {@code -2 ** x},
     * which Python reads as {@code -(2 ** x)}, so a negative constant base negates the result.
     */
    record Power(Expr base, Expr exponent, boolean constantBase, int line) implements Expr {
    }

    /** A comparison chain {@code a < b <= c}, Python style; ops include {@code in} and {@code not in}. */
    record Compare(Expr first, List<String> ops, List<Expr> operands, int line) implements Expr {
    }

    /** {@code then if condition else otherwise}; a null {@code otherwise} yields undefined. */
    record Conditional(Expr condition, Expr then, Expr otherwise, int line) implements Expr {
    }

    record Keyword(String name, Expr value) {
    }
}
