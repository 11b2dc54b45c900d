package dev.quill.chat;

import dev.quill.chat.Token.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser following Jinja2's grammar and operator precedence, including its
 * quirks: filters and {@code is} tests bind tighter than arithmetic ({@code a + b|trim} trims
 * only {@code b}), {@code **} is left-associative, unary minus binds tighter than {@code **}.
 */
final class Parser {
    /** Deepest nesting of blocks and expressions accepted, so hostile templates cannot exhaust the stack. */
    private static final int MAX_NESTING = 200;

    private final List<Token> tokens;
    private int p;
    private int nesting;
    private int loopDepth;
    /** End tags of the blocks being parsed, innermost last, for error messages. */
    private final Deque<List<String>> openBlocks = new ArrayDeque<>();
    /** Names read inside each macro body being parsed, to know whether it uses varargs/kwargs. */
    private final Deque<Set<String>> macroNames = new ArrayDeque<>();

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Stmt> parse(String source) {
        Parser parser = new Parser(Lexer.tokenize(source));
        return parser.subparse(List.of());
    }

    // ---- token stream ----

    private Token peek() {
        return tokens.get(p);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(p + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(p);
        if (t.kind() != Kind.EOF) {
            p++;
        }
        return t;
    }

    private TemplateException error(String message, Token at) {
        return new TemplateException(message, at.line());
    }

    private Token expect(Kind kind, String what) {
        Token t = peek();
        if (t.kind() != kind) {
            throw error("expected " + what + ", got '" + t.describe() + "'", t);
        }
        return next();
    }

    private void expectOperator(String op) {
        Token t = peek();
        if (!t.isOperator(op)) {
            throw error("expected '" + op + "', got '" + t.describe() + "'", t);
        }
        next();
    }

    private boolean skipOperator(String op) {
        if (peek().isOperator(op)) {
            next();
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (peek().isName(name)) {
            next();
            return true;
        }
        return false;
    }

    private String expectName() {
        return expect(Kind.NAME, "name").text();
    }

    private void expectBlockEnd() {
        expect(Kind.BLOCK_END, "end of statement block");
    }

    private void enter(Token at) {
        if (++nesting > MAX_NESTING) {
            throw error("template nesting too deep (more than " + MAX_NESTING + " levels)", at);
        }
    }

    private void leave() {
        nesting--;
    }

    // ---- statements ----

    /** Parses until one of {@code endTags} opens a block tag; stops on that tag's name. */
    private List<Stmt> subparse(List<String> endTags) {
        List<Stmt> body = new ArrayList<>();
        openBlocks.push(endTags);
        try {
            while (true) {
                Token t = peek();
                switch (t.kind()) {
                    case EOF -> {
                        if (!endTags.isEmpty()) {
                            throw error("Unexpected end of template. Jinja was looking for the following tags: "
                                    + describeTags(endTags) + ".", t);
                        }
                        return body;
                    }
                    case TEXT -> body.add(new Stmt.Text((String) next().value(), t.line()));
                    case VARIABLE_BEGIN -> {
                        next();
                        Expr e = parseTuple(true, false, List.of());
                        expect(Kind.VARIABLE_END, "end of print statement");
                        body.add(new Stmt.Print(e, t.line()));
                    }
                    case BLOCK_BEGIN -> {
                        Token name = peek(1);
                        if (name.kind() == Kind.NAME && endTags.contains(name.text())) {
                            next();
                            return body;
                        }
                        next();
                        body.add(parseStatement());
                    }
                    default -> throw error("unexpected '" + t.describe() + "'", t);
                }
            }
        } finally {
            openBlocks.pop();
        }
    }

    private static String describeTags(List<String> tags) {
        List<String> quoted = tags.stream().map(s -> "'" + s + "'").toList();
        return String.join(" or ", quoted);
    }

    private Stmt parseStatement() {
        Token t = peek();
        if (t.kind() != Kind.NAME) {
            throw error("tag name expected", t);
        }
        enter(t);
        try {
            return switch (t.text()) {
                case "if" -> parseIf();
                case "for" -> parseFor();
                case "set" -> parseSet();
                case "macro" -> parseMacro();
                case "call" -> parseCallBlock();
                case "filter" -> parseFilterBlock();
                case "with" -> parseWith();
                case "break", "continue" -> parseLoopControl();
                case "generation" -> {
                    next();
                    expectBlockEnd();
                    List<Stmt> body = subparse(List.of("endgeneration"));
                    endTag();
                    yield new Stmt.Block(body, t.line());
                }
                default -> throw unknownTag(t);
            };
        } finally {
            leave();
        }
    }

    private TemplateException unknownTag(Token t) {
        StringBuilder msg = new StringBuilder("Encountered unknown tag '" + t.text() + "'.");
        List<String> expected = new ArrayList<>();
        for (List<String> tags : openBlocks) {
            expected.addAll(tags);
        }
        if (!expected.isEmpty()) {
            msg.append(" Jinja was looking for the following tags: ").append(describeTags(expected)).append('.');
        }
        if (Set.of("include", "import", "from", "extends", "block").contains(t.text())) {
            msg.append(" Chat templates are self-contained; '").append(t.text()).append("' is not supported.");
        }
        return error(msg.toString(), t);
    }

    /** Consumes the end tag name subparse stopped on, and its block end. */
    private void endTag() {
        next();
        expectBlockEnd();
    }

    private Stmt parseIf() {
        int line = next().line();
        List<Expr> conditions = new ArrayList<>();
        List<List<Stmt>> bodies = new ArrayList<>();
        List<Stmt> otherwise = List.of();
        while (true) {
            conditions.add(parseTuple(false, false, List.of()));
            expectBlockEnd();
            bodies.add(subparse(List.of("elif", "else", "endif")));
            String tag = next().text();
            if (tag.equals("elif")) {
                continue;
            }
            if (tag.equals("else")) {
                expectBlockEnd();
                otherwise = subparse(List.of("endif"));
                endTag();
            } else {
                expectBlockEnd();
            }
            return new Stmt.If(conditions, bodies, otherwise, line);
        }
    }

    private Stmt parseFor() {
        int line = next().line();
        Stmt.Target target = parseAssignTarget(List.of("in"), false);
        if (!skipName("in")) {
            throw error("expected 'in', got '" + peek().describe() + "'", peek());
        }
        Expr iterable = parseTuple(false, false, List.of("recursive"));
        Expr filter = null;
        if (skipName("if")) {
            filter = parseExpression(true);
        }
        boolean recursive = skipName("recursive");
        expectBlockEnd();
        loopDepth++;
        List<Stmt> body;
        try {
            body = subparse(List.of("endfor", "else"));
        } finally {
            loopDepth--;
        }
        List<Stmt> otherwise = List.of();
        if (next().text().equals("else")) {
            expectBlockEnd();
            otherwise = subparse(List.of("endfor"));
            endTag();
        } else {
            expectBlockEnd();
        }
        return new Stmt.For(target, iterable, filter, recursive, body, otherwise, line);
    }

    private Stmt parseSet() {
        int line = next().line();
        Stmt.Target target = parseAssignTarget(List.of(), true);
        if (skipOperator("=")) {
            Expr value = parseTuple(true, false, List.of());
            expectBlockEnd();
            return new Stmt.Set(target, value, line);
        }
        Expr filter = peek().isOperator("|") ? parseFilter(null, false) : null;
        expectBlockEnd();
        List<Stmt> body = subparse(List.of("endset"));
        endTag();
        return new Stmt.SetBlock(target, filter, body, line);
    }

    private Stmt parseMacro() {
        int line = next().line();
        String name = expectName();
        List<Stmt.Param> params = parseSignature();
        expectBlockEnd();
        Set<String> names = new HashSet<>();
        List<Stmt> body = parseDetachedBody("endmacro", names);
        return new Stmt.Macro(name, params, body, names.contains("varargs"), names.contains("kwargs"),
                names.contains("caller"), line);
    }

    /** A macro or caller body: names are tracked and loop controls cannot reach an outer loop. */
    private List<Stmt> parseDetachedBody(String endTag, Set<String> names) {
        int savedLoopDepth = loopDepth;
        loopDepth = 0;
        macroNames.push(names);
        try {
            List<Stmt> body = subparse(List.of(endTag));
            endTag();
            return body;
        } finally {
            macroNames.pop();
            loopDepth = savedLoopDepth;
        }
    }

    private List<Stmt.Param> parseSignature() {
        expectOperator("(");
        List<Stmt.Param> params = new ArrayList<>();
        boolean sawDefault = false;
        while (!peek().isOperator(")")) {
            if (!params.isEmpty()) {
                expectOperator(",");
            }
            Token nameToken = peek();
            String name = expectName();
            Expr defaultValue = null;
            if (skipOperator("=")) {
                defaultValue = parseExpression(true);
                sawDefault = true;
            } else if (sawDefault) {
                throw error("non-default argument follows default argument", nameToken);
            }
            params.add(new Stmt.Param(name, defaultValue));
        }
        expectOperator(")");
        return params;
    }

    private Stmt parseCallBlock() {
        Token start = next();
        List<Stmt.Param> params = peek().isOperator("(") ? parseSignature() : List.of();
        Expr call = parseExpression(true);
        if (!(call instanceof Expr.Call c)) {
            throw error("expected call", start);
        }
        expectBlockEnd();
        Set<String> names = new HashSet<>();
        List<Stmt> body = parseDetachedBody("endcall", names);
        return new Stmt.CallBlock(c, params, body, names.contains("varargs"), names.contains("kwargs"),
                names.contains("caller"), start.line());
    }

    private Stmt parseFilterBlock() {
        int line = next().line();
        Expr filter = parseFilter(null, true);
        expectBlockEnd();
        List<Stmt> body = subparse(List.of("endfilter"));
        endTag();
        return new Stmt.FilterBlock(filter, body, line);
    }

    private Stmt parseWith() {
        int line = next().line();
        List<Stmt.Target> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (peek().kind() != Kind.BLOCK_END) {
            if (!targets.isEmpty()) {
                expectOperator(",");
            }
            targets.add(parseAssignTarget(List.of(), false));
            expectOperator("=");
            values.add(parseExpression(true));
        }
        expectBlockEnd();
        List<Stmt> body = subparse(List.of("endwith"));
        endTag();
        return new Stmt.With(targets, values, body, line);
    }

    private Stmt parseLoopControl() {
        Token t = next();
        if (loopDepth == 0) {
            throw error("'" + t.text() + "' outside loop", t);
        }
        expectBlockEnd();
        return t.text().equals("break") ? new Stmt.Break(t.line()) : new Stmt.Continue(t.line());
    }

    private Stmt.Target parseAssignTarget(List<String> extraEnd, boolean withNamespace) {
        Token t = peek();
        if (withNamespace && t.kind() == Kind.NAME && peek(1).isOperator(".")) {
            next();
            next();
            return new Stmt.Target.NamespaceAttribute(t.text(), expectName());
        }
        return toTarget(parseTuple(true, true, extraEnd), t);
    }

    private Stmt.Target toTarget(Expr e, Token at) {
        if (e instanceof Expr.Name n) {
            if (Set.of("true", "false", "none", "True", "False", "None").contains(n.name())) {
                throw error("can't assign to '" + n.name() + "'", at);
            }
            return new Stmt.Target.Name(n.name());
        }
        if (e instanceof Expr.TupleLiteral tuple) {
            List<Stmt.Target> items = new ArrayList<>();
            for (Expr item : tuple.items()) {
                items.add(toTarget(item, at));
            }
            return new Stmt.Target.Tuple(items);
        }
        throw error("can't assign to '" + e.getClass().getSimpleName().toLowerCase() + "'", at);
    }

    // ---- expressions ----

    /**
     * Comma-separated expressions: one without a comma is itself, several make a tuple.
     * {@code simplified} parses only primaries (assignment targets); without {@code withCondexpr}
     * an {@code if} ends the element (for-loop filters).
     */
    private Expr parseTuple(boolean withCondexpr, boolean simplified, List<String> extraEnd) {
        return parseTuple(withCondexpr, simplified, extraEnd, false);
    }

    private Expr parseTuple(boolean withCondexpr, boolean simplified, List<String> extraEnd, boolean explicitParens) {
        int line = peek().line();
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                expectOperator(",");
            }
            if (isTupleEnd(extraEnd)) {
                break;
            }
            items.add(simplified ? parsePrimary() : parseExpression(withCondexpr));
            if (peek().isOperator(",")) {
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
                throw error("Expected an expression, got '" + peek().describe() + "'", peek());
            }
        }
        return new Expr.TupleLiteral(items, line);
    }

    private boolean isTupleEnd(List<String> extraEnd) {
        Token t = peek();
        if (t.kind() == Kind.VARIABLE_END || t.kind() == Kind.BLOCK_END || t.isOperator(")")) {
            return true;
        }
        return t.kind() == Kind.NAME && extraEnd.contains(t.text());
    }

    private Expr parseExpression(boolean withCondexpr) {
        Token t = peek();
        enter(t);
        try {
            return withCondexpr ? parseConditional() : parseOr();
        } finally {
            leave();
        }
    }

    private Expr parseConditional() {
        int line = peek().line();
        Expr expr = parseOr();
        while (skipName("if")) {
            Expr condition = parseOr();
            Expr otherwise = skipName("else") ? parseConditional() : null;
            expr = new Expr.Conditional(condition, expr, otherwise, line);
        }
        return expr;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (peek().isName("or")) {
            int line = next().line();
            left = new Expr.Binary("or", left, parseAnd(), line);
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (peek().isName("and")) {
            int line = next().line();
            left = new Expr.Binary("and", left, parseNot(), line);
        }
        return left;
    }

    private Expr parseNot() {
        if (peek().isName("not")) {
            Token t = next();
            enter(t);
            try {
                return new Expr.Unary("not", parseNot(), t.line());
            } finally {
                leave();
            }
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        int line = peek().line();
        Expr first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> operands = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.kind() == Kind.OPERATOR && Set.of("==", "!=", "<", "<=", ">", ">=").contains(t.text())) {
                next();
                ops.add(t.text());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
            } else if (t.isName("not") && peek(1).isName("in")) {
                next();
                next();
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
        while (peek().isOperator("+") || peek().isOperator("-")) {
            Token op = next();
            left = new Expr.Binary(op.text(), left, parseConcat(), op.line());
        }
        return left;
    }

    private Expr parseConcat() {
        Expr left = parseMath2();
        while (peek().isOperator("~")) {
            Token op = next();
            left = new Expr.Binary("~", left, parseMath2(), op.line());
        }
        return left;
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (peek().kind() == Kind.OPERATOR && Set.of("*", "/", "//", "%").contains(peek().text())) {
            Token op = next();
            left = new Expr.Binary(op.text(), left, parsePow(), op.line());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (peek().isOperator("**")) {
            Token op = next();
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
            case Expr.Compare c -> isConstant(c.first()) && c.operands().stream().allMatch(Parser::isConstant);
            case Expr.Conditional c -> isConstant(c.condition()) && isConstant(c.then())
                    && c.otherwise() != null && isConstant(c.otherwise());
            case Expr.ListLiteral l -> l.items().stream().allMatch(Parser::isConstant);
            case Expr.TupleLiteral t -> t.items().stream().allMatch(Parser::isConstant);
            case Expr.DictLiteral d -> d.keys().stream().allMatch(Parser::isConstant)
                    && d.values().stream().allMatch(Parser::isConstant);
            case Expr.Filter f -> f.input() != null && !CONTEXT_FILTERS.contains(f.name()) && isConstant(f.input())
                    && f.args().stream().allMatch(Parser::isConstant)
                    && f.keywords().stream().allMatch(k -> isConstant(k.value()));
            case Expr.Test t -> isConstant(t.input()) && t.args().stream().allMatch(Parser::isConstant)
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
        Token t = peek();
        enter(t);
        try {
            Expr node;
            if (t.isOperator("-") || t.isOperator("+")) {
                next();
                node = new Expr.Unary(t.text(), parseUnary(false), t.line());
            } else {
                node = parsePrimary();
            }
            node = parsePostfix(node);
            return withFilter ? parseFilterExpr(node) : node;
        } finally {
            leave();
        }
    }

    private Expr parsePrimary() {
        Token t = peek();
        switch (t.kind()) {
            case NAME -> {
                next();
                return switch (t.text()) {
                    case "true", "True" -> new Expr.Literal(Boolean.TRUE, t.line());
                    case "false", "False" -> new Expr.Literal(Boolean.FALSE, t.line());
                    case "none", "None" -> new Expr.Literal(null, t.line());
                    default -> {
                        for (Set<String> names : macroNames) {
                            names.add(t.text());
                        }
                        yield new Expr.Name(t.text(), t.line());
                    }
                };
            }
            case STRING -> {
                StringBuilder sb = new StringBuilder();
                // Adjacent string literals concatenate, as in Python.
                while (peek().kind() == Kind.STRING) {
                    sb.append((String) next().value());
                }
                return new Expr.Literal(sb.toString(), t.line());
            }
            case INTEGER, FLOAT -> {
                next();
                return new Expr.Literal(t.value(), t.line());
            }
            case OPERATOR -> {
                if (t.isOperator("(")) {
                    next();
                    Expr e = parseTuple(true, false, List.of(), true);
                    expectOperator(")");
                    return e;
                }
                if (t.isOperator("[")) {
                    return parseList();
                }
                if (t.isOperator("{")) {
                    return parseDict();
                }
                throw error("unexpected '" + t.text() + "'", t);
            }
            default -> throw error("unexpected '" + t.describe() + "'", t);
        }
    }

    private Expr parseList() {
        int line = next().line();
        List<Expr> items = new ArrayList<>();
        while (!peek().isOperator("]")) {
            if (!items.isEmpty()) {
                expectOperator(",");
            }
            if (peek().isOperator("]")) {
                break;
            }
            items.add(parseExpression(true));
        }
        expectOperator("]");
        return new Expr.ListLiteral(items, line);
    }

    private Expr parseDict() {
        int line = next().line();
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!peek().isOperator("}")) {
            if (!keys.isEmpty()) {
                expectOperator(",");
            }
            if (peek().isOperator("}")) {
                break;
            }
            keys.add(parseExpression(true));
            expectOperator(":");
            values.add(parseExpression(true));
        }
        expectOperator("}");
        return new Expr.DictLiteral(keys, values, line);
    }

    private Expr parsePostfix(Expr node) {
        while (true) {
            Token t = peek();
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
            Token t = peek();
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
        Token t = next();
        if (t.isOperator(".")) {
            Token attr = next();
            if (attr.kind() == Kind.NAME) {
                return new Expr.Attribute(node, attr.text(), t.line());
            }
            if (attr.kind() != Kind.INTEGER) {
                throw error("expected name or number", attr);
            }
            return new Expr.Item(node, new Expr.Literal(attr.value(), attr.line()), t.line());
        }
        List<Expr> keys = new ArrayList<>();
        while (!peek().isOperator("]")) {
            if (!keys.isEmpty()) {
                expectOperator(",");
            }
            keys.add(parseSubscribed());
        }
        expectOperator("]");
        if (keys.isEmpty()) {
            throw error("expected subscript expression", t);
        }
        Expr key = keys.size() == 1 ? keys.get(0) : new Expr.TupleLiteral(keys, t.line());
        return new Expr.Item(node, key, t.line());
    }

    private Expr parseSubscribed() {
        int line = peek().line();
        Expr start = null;
        if (peek().isOperator(":")) {
            next();
        } else {
            start = parseExpression(true);
            if (!peek().isOperator(":")) {
                return start;
            }
            next();
        }
        Expr stop = null;
        if (!peek().isOperator(":") && !peek().isOperator("]") && !peek().isOperator(",")) {
            stop = parseExpression(true);
        }
        Expr step = null;
        if (skipOperator(":") && !peek().isOperator("]") && !peek().isOperator(",")) {
            step = parseExpression(true);
        }
        return new Expr.Slice(start, stop, step, line);
    }

    private record CallArgs(List<Expr> args, List<Expr.Keyword> keywords) {
    }

    private CallArgs parseCallArgs() {
        Token open = peek();
        expectOperator("(");
        List<Expr> args = new ArrayList<>();
        List<Expr.Keyword> keywords = new ArrayList<>();
        boolean requireComma = false;
        while (!peek().isOperator(")")) {
            if (requireComma) {
                expectOperator(",");
                if (peek().isOperator(")")) {
                    break;
                }
            }
            if (peek().isOperator("*") || peek().isOperator("**")) {
                throw error("*args and **kwargs in calls are not supported", peek());
            }
            if (peek().kind() == Kind.NAME && peek(1).isOperator("=")) {
                String key = next().text();
                next();
                keywords.add(new Expr.Keyword(key, parseExpression(true)));
            } else {
                if (!keywords.isEmpty()) {
                    throw error("invalid syntax for function call expression", open);
                }
                args.add(parseExpression(true));
            }
            requireComma = true;
        }
        expectOperator(")");
        return new CallArgs(args, keywords);
    }

    private Expr parseCall(Expr callee) {
        int line = peek().line();
        CallArgs a = parseCallArgs();
        return new Expr.Call(callee, a.args(), a.keywords(), line);
    }

    /** {@code | name(args) | name2 ...}; {@code startInline} means the first pipe was already consumed. */
    private Expr parseFilter(Expr node, boolean startInline) {
        while (peek().isOperator("|") || startInline) {
            if (!startInline) {
                next();
            }
            startInline = false;
            Token name = expect(Kind.NAME, "filter name");
            CallArgs a = peek().isOperator("(") ? parseCallArgs() : new CallArgs(List.of(), List.of());
            node = new Expr.Filter(node, name.text(), a.args(), a.keywords(), name.line());
        }
        return node;
    }

    private Expr parseTest(Expr node) {
        Token is = next();
        boolean negated = skipName("not");
        String name = expectName();
        CallArgs a;
        Token t = peek();
        if (t.isOperator("(")) {
            a = parseCallArgs();
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER
                || t.kind() == Kind.FLOAT || t.isOperator("[") || t.isOperator("{"))
                && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            // "x is divisibleby 3": a single argument without parentheses.
            if (t.isName("is")) {
                throw error("You cannot chain multiple tests with is", t);
            }
            a = new CallArgs(List.of(parsePostfix(parsePrimary())), List.of());
        } else {
            a = new CallArgs(List.of(), List.of());
        }
        Expr test = new Expr.Test(node, name, a.args(), a.keywords(), is.line());
        return negated ? new Expr.Unary("not", test, is.line()) : test;
    }
}
