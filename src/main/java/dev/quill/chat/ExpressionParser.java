package dev.quill.chat;

import dev.quill.chat.Token.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Parses expressions with Jinja2's grammar and operator precedence, including its quirks:
 * filters and {@code is} tests bind tighter than arithmetic ({@code a + b|trim} trims only
 * {@code b}), {@code **} is left-associative, and unary minus binds tighter than {@code **}.
 */
final class ExpressionParser {
    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", "<=", ">", ">=");
    private static final Set<String> MULTIPLICATIVE = Set.of("*", "/", "//", "%");
    private final TokenStream tokens;
    /** Sets collecting every name read, one per macro body being parsed (see {@link Parser}). */
    final Deque<Set<String>> nameCollectors = new ArrayDeque<>();

    ExpressionParser(TokenStream tokens) {
        this.tokens = tokens;
    }

    /**
     * Comma-separated expressions: one without a comma is itself, several make a tuple.
     * {@code simplified} parses only primaries (assignment targets); without {@code withCondexpr}
     * an {@code if} ends the element (for-loop filters).
     */
    Expr parseTuple(boolean withCondexpr, boolean simplified, List<String> extraEnd) {
        return parseTuple(withCondexpr, simplified, extraEnd, false);
    }

    Expr parseTuple(boolean withCondexpr, boolean simplified, List<String> extraEnd, boolean explicitParens) {
        int line = tokens.peek().line();
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                tokens.expectOperator(",");
            }
            if (isTupleEnd(extraEnd)) {
                break;
            }
            items.add(simplified ? parsePrimary() : parseExpression(withCondexpr));
            if (tokens.peek().isOperator(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!items.isEmpty()) {
                return items.get(0);
            }
            if (!explicitParens) {
                throw tokens.error("Expected an expression, got '" + tokens.peek().describe() + "'", tokens.peek());
            }
        }
        return new Expr.TupleLiteral(items, line);
    }

    private boolean isTupleEnd(List<String> extraEnd) {
        Token t = tokens.peek();
        if (t.kind() == Kind.VARIABLE_END || t.kind() == Kind.BLOCK_END || t.isOperator(")")) {
            return true;
        }
        return t.kind() == Kind.NAME && extraEnd.contains(t.text());
    }

    Expr parseExpression(boolean withCondexpr) {
        Token t = tokens.peek();
        tokens.enter(t);
        try {
            return withCondexpr ? parseConditional() : parseOr();
        } finally {
            tokens.leave();
        }
    }

    private Expr parseConditional() {
        int line = tokens.peek().line();
        Expr expr = parseOr();
        while (tokens.skipName("if")) {
            Expr condition = parseOr();
            Expr otherwise = tokens.skipName("else") ? parseConditional() : null;
            expr = new Expr.Conditional(condition, expr, otherwise, line);
        }
        return expr;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (tokens.peek().isName("or")) {
            int line = tokens.next().line();
            left = new Expr.Binary("or", left, parseAnd(), line);
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (tokens.peek().isName("and")) {
            int line = tokens.next().line();
            left = new Expr.Binary("and", left, parseNot(), line);
        }
        return left;
    }

    private Expr parseNot() {
        if (tokens.peek().isName("not")) {
            Token t = tokens.next();
            tokens.enter(t);
            try {
                return new Expr.Unary("not", parseNot(), t.line());
            } finally {
                tokens.leave();
            }
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        int line = tokens.peek().line();
        Expr first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> operands = new ArrayList<>();
        while (true) {
            Token t = tokens.peek();
            if (t.kind() == Kind.OPERATOR && COMPARISONS.contains(t.text())) {
                tokens.next();
                ops.add(t.text());
            } else if (t.isName("in")) {
                tokens.next();
                ops.add("in");
            } else if (t.isName("not") && tokens.peek(1).isName("in")) {
                tokens.next();
                tokens.next();
                ops.add("not in");
            } else {
                break;
            }
            operands.add(parseMath1());
        }
        return ops.isEmpty() ? first : new Expr.Compare(first, ops, operands, line);
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (tokens.peek().isOperator("+") || tokens.peek().isOperator("-")) {
            Token op = tokens.next();
            left = new Expr.Binary(op.text(), left, parseConcat(), op.line());
        }
        return left;
    }

    private Expr parseConcat() {
        Expr left = parseMath2();
        while (tokens.peek().isOperator("~")) {
            Token op = tokens.next();
            left = new Expr.Binary("~", left, parseMath2(), op.line());
        }
        return left;
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (tokens.peek().kind() == Kind.OPERATOR && MULTIPLICATIVE.contains(tokens.peek().text())) {
            Token op = tokens.next();
            left = new Expr.Binary(op.text(), left, parsePow(), op.line());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (tokens.peek().isOperator("**")) {
            Token op = tokens.next();
            Expr right = parseUnary(true);
            left = new Expr.Power(left, right, isConstant(left) && !isConstant(right), op.line());
        }
        return left;
    }

    /** Filters Jinja2 cannot fold at compile time because they need the render context. */
    private static final Set<String> CONTEXT_FILTERS = Set.of("map", "select", "reject", "selectattr", "rejectattr");

    /** Whether Jinja2's optimizer would fold {@code e} into a constant (no variables involved). */
    static boolean isConstant(Expr e) {
        return switch (e) {
            case Expr.Literal l -> true;
            case Expr.Unary u -> isConstant(u.operand());
            case Expr.Binary b -> isConstant(b.left()) && isConstant(b.right());
            case Expr.Power p -> isConstant(p.base()) && isConstant(p.exponent());
            case Expr.Compare c -> isConstant(c.first()) && c.operands().stream().allMatch(ExpressionParser::isConstant);
            case Expr.Conditional c -> isConstant(c.condition()) && isConstant(c.then())
                    && c.otherwise() != null && isConstant(c.otherwise());
            case Expr.ListLiteral l -> l.items().stream().allMatch(ExpressionParser::isConstant);
            case Expr.TupleLiteral t -> t.items().stream().allMatch(ExpressionParser::isConstant);
            case Expr.DictLiteral d -> d.keys().stream().allMatch(ExpressionParser::isConstant)
                    && d.values().stream().allMatch(ExpressionParser::isConstant);
            case Expr.Filter f -> f.input() != null && !CONTEXT_FILTERS.contains(f.name()) && isConstant(f.input())
                    && f.args().stream().allMatch(ExpressionParser::isConstant)
                    && f.keywords().stream().allMatch(k -> isConstant(k.value()));
            case Expr.Test t -> isConstant(t.input()) && t.args().stream().allMatch(ExpressionParser::isConstant)
                    && t.keywords().stream().allMatch(k -> isConstant(k.value()));
            case Expr.Attribute a -> isConstant(a.target());
            case Expr.Item i -> isConstant(i.target()) && isConstant(i.key());
            case Expr.Slice s -> (s.start() == null || isConstant(s.start())) && (s.stop() == null || isConstant(s.stop()))
                    && (s.step() == null || isConstant(s.step()));
            case Expr.Name n -> false;
            case Expr.Call c -> false;
        };
    }

    private Expr parseUnary(boolean withFilter) {
        Token t = tokens.peek();
        tokens.enter(t);
        try {
            Expr node;
            if (t.isOperator("-") || t.isOperator("+")) {
                tokens.next();
                node = new Expr.Unary(t.text(), parseUnary(false), t.line());
            } else {
                node = parsePrimary();
            }
            node = parsePostfix(node);
            return withFilter ? parseFilterExpr(node) : node;
        } finally {
            tokens.leave();
        }
    }

    private Expr parsePrimary() {
        Token t = tokens.peek();
        switch (t.kind()) {
            case NAME -> {
                tokens.next();
                return switch (t.text()) {
                    case "true", "True" -> new Expr.Literal(Boolean.TRUE, t.line());
                    case "false", "False" -> new Expr.Literal(Boolean.FALSE, t.line());
                    case "none", "None" -> new Expr.Literal(null, t.line());
                    default -> {
                        for (Set<String> names : nameCollectors) {
                            names.add(t.text());
                        }
                        yield new Expr.Name(t.text(), t.line());
                    }
                };
            }
            case STRING -> {
                StringBuilder sb = new StringBuilder();
                // Adjacent string literals concatenate, as in Python.
                while (tokens.peek().kind() == Kind.STRING) {
                    sb.append((String) tokens.next().value());
                }
                return new Expr.Literal(sb.toString(), t.line());
            }
            case INTEGER, FLOAT -> {
                tokens.next();
                return new Expr.Literal(t.value(), t.line());
            }
            case OPERATOR -> {
                if (t.isOperator("(")) {
                    tokens.next();
                    Expr e = parseTuple(true, false, List.of(), true);
                    tokens.expectOperator(")");
                    return e;
                }
                if (t.isOperator("[")) {
                    return parseList();
                }
                if (t.isOperator("{")) {
                    return parseDict();
                }
                throw tokens.error("unexpected '" + t.text() + "'", t);
            }
            default -> throw tokens.error("unexpected '" + t.describe() + "'", t);
        }
    }

    private Expr parseList() {
        int line = tokens.next().line();
        List<Expr> items = new ArrayList<>();
        while (!tokens.peek().isOperator("]")) {
            if (!items.isEmpty()) {
                tokens.expectOperator(",");
            }
            if (tokens.peek().isOperator("]")) {
                break;
            }
            items.add(parseExpression(true));
        }
        tokens.expectOperator("]");
        return new Expr.ListLiteral(items, line);
    }

    private Expr parseDict() {
        int line = tokens.next().line();
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!tokens.peek().isOperator("}")) {
            if (!keys.isEmpty()) {
                tokens.expectOperator(",");
            }
            if (tokens.peek().isOperator("}")) {
                break;
            }
            keys.add(parseExpression(true));
            tokens.expectOperator(":");
            values.add(parseExpression(true));
        }
        tokens.expectOperator("}");
        return new Expr.DictLiteral(keys, values, line);
    }

    private Expr parsePostfix(Expr node) {
        while (true) {
            Token t = tokens.peek();
            if (t.isOperator(".") || t.isOperator("[")) {
                node = parseSubscript(node);
            } else if (t.isOperator("(")) {
                node = parseCall(node);
            } else {
                return node;
            }
        }
    }

    private Expr parseFilterExpr(Expr node) {
        while (true) {
            Token t = tokens.peek();
            if (t.isOperator("|")) {
                node = parseFilter(node, false);
            } else if (t.isName("is")) {
                node = parseTest(node);
            } else if (t.isOperator("(")) {
                node = parseCall(node);
            } else {
                return node;
            }
        }
    }

    private Expr parseSubscript(Expr node) {
        Token t = tokens.next();
        if (t.isOperator(".")) {
            Token attr = tokens.next();
            if (attr.kind() == Kind.NAME) {
                return new Expr.Attribute(node, attr.text(), t.line());
            }
            if (attr.kind() != Kind.INTEGER) {
                throw tokens.error("expected name or number", attr);
            }
            return new Expr.Item(node, new Expr.Literal(attr.value(), attr.line()), t.line());
        }
        List<Expr> keys = new ArrayList<>();
        while (!tokens.peek().isOperator("]")) {
            if (!keys.isEmpty()) {
                tokens.expectOperator(",");
            }
            keys.add(parseSubscribed());
        }
        tokens.expectOperator("]");
        if (keys.isEmpty()) {
            throw tokens.error("expected subscript expression", t);
        }
        Expr key = keys.size() == 1 ? keys.get(0) : new Expr.TupleLiteral(keys, t.line());
        return new Expr.Item(node, key, t.line());
    }

    private Expr parseSubscribed() {
        int line = tokens.peek().line();
        Expr start = null;
        if (tokens.peek().isOperator(":")) {
            tokens.next();
        } else {
            start = parseExpression(true);
            if (!tokens.peek().isOperator(":")) {
                return start;
            }
            tokens.next();
        }
        Expr stop = null;
        if (!tokens.peek().isOperator(":") && !tokens.peek().isOperator("]") && !tokens.peek().isOperator(",")) {
            stop = parseExpression(true);
        }
        Expr step = null;
        if (tokens.skipOperator(":") && !tokens.peek().isOperator("]") && !tokens.peek().isOperator(",")) {
            step = parseExpression(true);
        }
        return new Expr.Slice(start, stop, step, line);
    }

    private record CallArgs(List<Expr> args, List<Expr.Keyword> keywords) {
    }

    private CallArgs parseCallArgs() {
        Token open = tokens.peek();
        tokens.expectOperator("(");
        List<Expr> args = new ArrayList<>();
        List<Expr.Keyword> keywords = new ArrayList<>();
        boolean requireComma = false;
        while (!tokens.peek().isOperator(")")) {
            if (requireComma) {
                tokens.expectOperator(",");
                if (tokens.peek().isOperator(")")) {
                    break;
                }
            }
            if (tokens.peek().isOperator("*") || tokens.peek().isOperator("**")) {
                throw tokens.error("*args and **kwargs in calls are not supported", tokens.peek());
            }
            if (tokens.peek().kind() == Kind.NAME && tokens.peek(1).isOperator("=")) {
                String key = tokens.next().text();
                tokens.next();
                keywords.add(new Expr.Keyword(key, parseExpression(true)));
            } else {
                if (!keywords.isEmpty()) {
                    throw tokens.error("invalid syntax for function call expression", open);
                }
                args.add(parseExpression(true));
            }
            requireComma = true;
        }
        tokens.expectOperator(")");
        return new CallArgs(args, keywords);
    }

    private Expr parseCall(Expr callee) {
        int line = tokens.peek().line();
        CallArgs a = parseCallArgs();
        return new Expr.Call(callee, a.args(), a.keywords(), line);
    }

    /** {@code | name(args) | name2 ...}; {@code startInline} means the first pipe was already consumed. */
    Expr parseFilter(Expr node, boolean startInline) {
        while (tokens.peek().isOperator("|") || startInline) {
            if (!startInline) {
                tokens.next();
            }
            startInline = false;
            Token name = tokens.expect(Kind.NAME, "filter name");
            CallArgs a = tokens.peek().isOperator("(") ? parseCallArgs() : new CallArgs(List.of(), List.of());
            node = new Expr.Filter(node, name.text(), a.args(), a.keywords(), name.line());
        }
        return node;
    }

    private Expr parseTest(Expr node) {
        Token is = tokens.next();
        boolean negated = tokens.skipName("not");
        String name = tokens.expectName();
        CallArgs a;
        Token t = tokens.peek();
        if (t.isOperator("(")) {
            a = parseCallArgs();
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER
                || t.kind() == Kind.FLOAT || t.isOperator("[") || t.isOperator("{"))
                && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            // "x is divisibleby 3": a single argument without parentheses.
            if (t.isName("is")) {
                throw tokens.error("You cannot chain multiple tests with is", t);
            }
            a = new CallArgs(List.of(parsePostfix(parsePrimary())), List.of());
        } else {
            a = new CallArgs(List.of(), List.of());
        }
        Expr test = new Expr.Test(node, name, a.args(), a.keywords(), is.line());
        return negated ? new Expr.Unary("not", test, is.line()) : test;
    }
}
