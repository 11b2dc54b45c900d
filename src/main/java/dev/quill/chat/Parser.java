package dev.quill.chat;

import dev.quill.chat.Token.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses template statements (if, for, set, macro, call, filter, with, loop controls) into
 * {@link Stmt} trees; expressions are left to {@link ExpressionParser}.
 */
final class Parser {
    private static final Set<String> LITERAL_NAMES = Set.of("true", "false", "none", "True", "False", "None");
    private final TokenStream tokens;
    private final ExpressionParser expressions;
    private int loopDepth;
    /** End tags of the blocks being parsed, innermost last, for error messages. */
    private final Deque<List<String>> openBlocks = new ArrayDeque<>();

    private Parser(List<Token> tokenList) {
        this.tokens = new TokenStream(tokenList);
        this.expressions = new ExpressionParser(tokens);
    }

    static List<Stmt> parse(String source) {
        Parser parser = new Parser(Lexer.tokenize(source));
        return parser.subparse(List.of());
    }

    /** Parses until one of {@code endTags} opens a block tag; stops on that tag's name. */
    private List<Stmt> subparse(List<String> endTags) {
        List<Stmt> body = new ArrayList<>();
        openBlocks.push(endTags);
        try {
            while (true) {
                Token t = tokens.peek();
                switch (t.kind()) {
                    case EOF -> {
                        if (!endTags.isEmpty()) {
                            throw tokens.error("Unexpected end of template. Jinja was looking for the following tags: "
                                    + describeTags(endTags) + ".", t);
                        }
                        return body;
                    }
                    case TEXT -> body.add(new Stmt.Text((String) tokens.next().value(), t.line()));
                    case VARIABLE_BEGIN -> {
                        tokens.next();
                        Expr e = expressions.parseTuple(true, false, List.of());
                        tokens.expect(Kind.VARIABLE_END, "end of print statement");
                        body.add(new Stmt.Print(e, t.line()));
                    }
                    case BLOCK_BEGIN -> {
                        Token name = tokens.peek(1);
                        if (name.kind() == Kind.NAME && endTags.contains(name.text())) {
                            tokens.next();
                            return body;
                        }
                        tokens.next();
                        body.add(parseStatement());
                    }
                    default -> throw tokens.error("unexpected '" + t.describe() + "'", t);
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
        Token t = tokens.peek();
        if (t.kind() != Kind.NAME) {
            throw tokens.error("tag name expected", t);
        }
        tokens.enter(t);
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
                case "block" -> parseNamedBlock();
                case "include", "import", "from", "extends" -> {
                    // Jinja2 only fails when such a tag runs: an unreached include renders fine.
                    tokens.next();
                    while (tokens.peek().kind() != Kind.BLOCK_END && tokens.peek().kind() != Kind.EOF) {
                        tokens.next();
                    }
                    tokens.expectBlockEnd();
                    yield new Stmt.LoaderRequired(t.line());
                }
                case "generation" -> {
                    tokens.next();
                    tokens.expectBlockEnd();
                    List<Stmt> body = subparse(List.of("endgeneration"));
                    endTag();
                    yield new Stmt.Block(body, t.line());
                }
                default -> throw unknownTag(t);
            };
        } finally {
            tokens.leave();
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
        return tokens.error(msg.toString(), t);
    }

    /** Consumes the end tag name subparse stopped on, and its block end. */
    private void endTag() {
        tokens.next();
        tokens.expectBlockEnd();
    }

    private Stmt parseIf() {
        int line = tokens.next().line();
        List<Expr> conditions = new ArrayList<>();
        List<List<Stmt>> bodies = new ArrayList<>();
        List<Stmt> otherwise = List.of();
        while (true) {
            conditions.add(expressions.parseTuple(false, false, List.of()));
            tokens.expectBlockEnd();
            bodies.add(subparse(List.of("elif", "else", "endif")));
            String tag = tokens.next().text();
            if (tag.equals("elif")) {
                continue;
            }
            if (tag.equals("else")) {
                tokens.expectBlockEnd();
                otherwise = subparse(List.of("endif"));
                endTag();
            } else {
                tokens.expectBlockEnd();
            }
            return new Stmt.If(conditions, bodies, otherwise, line);
        }
    }

    private Stmt parseFor() {
        int line = tokens.next().line();
        Stmt.Target target = parseAssignTarget(List.of("in"), false);
        if (!tokens.skipName("in")) {
            throw tokens.error("expected 'in', got '" + tokens.peek().describe() + "'", tokens.peek());
        }
        Expr iterable = expressions.parseTuple(false, false, List.of("recursive"));
        Expr filter = null;
        if (tokens.skipName("if")) {
            filter = expressions.parseExpression(true);
        }
        boolean recursive = tokens.skipName("recursive");
        tokens.expectBlockEnd();
        loopDepth++;
        List<Stmt> body;
        try {
            body = subparse(List.of("endfor", "else"));
        } finally {
            loopDepth--;
        }
        List<Stmt> otherwise = List.of();
        if (tokens.next().text().equals("else")) {
            tokens.expectBlockEnd();
            otherwise = subparse(List.of("endfor"));
            endTag();
        } else {
            tokens.expectBlockEnd();
        }
        return new Stmt.For(target, iterable, filter, recursive, body, otherwise, line);
    }

    private Stmt parseSet() {
        int line = tokens.next().line();
        Stmt.Target target = parseAssignTarget(List.of(), true);
        if (tokens.skipOperator("=")) {
            Expr value = expressions.parseTuple(true, false, List.of());
            tokens.expectBlockEnd();
            return new Stmt.Set(target, value, line);
        }
        Expr filter = tokens.peek().isOperator("|") ? expressions.parseFilter(null, false) : null;
        tokens.expectBlockEnd();
        List<Stmt> body = subparse(List.of("endset"));
        endTag();
        return new Stmt.SetBlock(target, filter, body, line);
    }

    private Stmt parseMacro() {
        int line = tokens.next().line();
        String name = tokens.expectName();
        List<Stmt.Param> params = parseSignature();
        tokens.expectBlockEnd();
        Set<String> names = new HashSet<>();
        List<Stmt> body = parseDetachedBody("endmacro", names);
        return new Stmt.Macro(name, params, body, names.contains("varargs"), names.contains("kwargs"),
                names.contains("caller"), line);
    }

    /** A macro or caller body: names are tracked and loop controls cannot reach an outer loop. */
    private List<Stmt> parseDetachedBody(String endTag, Set<String> names) {
        int savedLoopDepth = loopDepth;
        loopDepth = 0;
        expressions.nameCollectors.push(names);
        try {
            List<Stmt> body = subparse(List.of(endTag));
            endTag();
            return body;
        } finally {
            expressions.nameCollectors.pop();
            loopDepth = savedLoopDepth;
        }
    }

    private List<Stmt.Param> parseSignature() {
        tokens.expectOperator("(");
        List<Stmt.Param> params = new ArrayList<>();
        boolean sawDefault = false;
        while (!tokens.peek().isOperator(")")) {
            if (!params.isEmpty()) {
                tokens.expectOperator(",");
            }
            Token nameToken = tokens.peek();
            String name = tokens.expectName();
            Expr defaultValue = null;
            if (tokens.skipOperator("=")) {
                defaultValue = expressions.parseExpression(true);
                sawDefault = true;
            } else if (sawDefault) {
                throw tokens.error("non-default argument follows default argument", nameToken);
            }
            params.add(new Stmt.Param(name, defaultValue));
        }
        tokens.expectOperator(")");
        return params;
    }

    private Stmt parseCallBlock() {
        Token start = tokens.next();
        List<Stmt.Param> params = tokens.peek().isOperator("(") ? parseSignature() : List.of();
        Expr call = expressions.parseExpression(true);
        if (!(call instanceof Expr.Call c)) {
            throw tokens.error("expected call", start);
        }
        tokens.expectBlockEnd();
        Set<String> names = new HashSet<>();
        List<Stmt> body = parseDetachedBody("endcall", names);
        return new Stmt.CallBlock(c, params, body, names.contains("varargs"), names.contains("kwargs"),
                names.contains("caller"), start.line());
    }

    private Stmt parseFilterBlock() {
        int line = tokens.next().line();
        Expr filter = expressions.parseFilter(null, true);
        tokens.expectBlockEnd();
        List<Stmt> body = subparse(List.of("endfilter"));
        endTag();
        return new Stmt.FilterBlock(filter, body, line);
    }

    private Stmt parseWith() {
        int line = tokens.next().line();
        List<Stmt.Target> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (tokens.peek().kind() != Kind.BLOCK_END) {
            if (!targets.isEmpty()) {
                tokens.expectOperator(",");
            }
            targets.add(parseAssignTarget(List.of(), false));
            tokens.expectOperator("=");
            values.add(expressions.parseExpression(true));
        }
        tokens.expectBlockEnd();
        List<Stmt> body = subparse(List.of("endwith"));
        endTag();
        return new Stmt.With(targets, values, body, line);
    }

    private Stmt parseNamedBlock() {
        int line = tokens.next().line();
        String name = tokens.expectName();
        boolean scoped = tokens.skipName("scoped");
        tokens.skipName("required");
        tokens.expectBlockEnd();
        int savedLoopDepth = loopDepth;
        loopDepth = 0;
        List<Stmt> body;
        try {
            body = subparse(List.of("endblock"));
        } finally {
            loopDepth = savedLoopDepth;
        }
        tokens.next();
        if (tokens.peek().kind() == Kind.NAME && !tokens.peek().text().equals(name)) {
            throw tokens.error("mismatching name '" + tokens.peek().text() + "' for block '" + name + "'", tokens.peek());
        }
        tokens.skipName(name);
        tokens.expectBlockEnd();
        return new Stmt.NamedBlock(name, scoped, body, line);
    }

    private Stmt parseLoopControl() {
        Token t = tokens.next();
        if (loopDepth == 0) {
            throw tokens.error("'" + t.text() + "' outside loop", t);
        }
        tokens.expectBlockEnd();
        return t.text().equals("break") ? new Stmt.Break(t.line()) : new Stmt.Continue(t.line());
    }

    private Stmt.Target parseAssignTarget(List<String> extraEnd, boolean withNamespace) {
        Token t = tokens.peek();
        if (withNamespace && t.kind() == Kind.NAME && tokens.peek(1).isOperator(".")) {
            tokens.next();
            tokens.next();
            return new Stmt.Target.NamespaceAttribute(t.text(), tokens.expectName());
        }
        return toTarget(expressions.parseTuple(true, true, extraEnd), t);
    }

    private Stmt.Target toTarget(Expr e, Token at) {
        if (e instanceof Expr.Name n) {
            if (LITERAL_NAMES.contains(n.name())) {
                throw tokens.error("can't assign to '" + n.name() + "'", at);
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
        throw tokens.error("can't assign to '" + e.getClass().getSimpleName().toLowerCase() + "'", at);
    }
}
