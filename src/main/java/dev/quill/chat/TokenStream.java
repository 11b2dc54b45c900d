package dev.quill.chat;

import dev.quill.chat.Token.Kind;
import java.util.List;

/**
 * The parsers' view of the token list: lookahead, consumption with clear errors, and a guard on
 * how deeply the recursive-descent parsers may nest, so hostile templates cannot exhaust the stack.
 */
final class TokenStream {
    /** Deepest nesting of blocks and expressions accepted. */
    private static final int MAX_NESTING = 200;

    private final List<Token> tokens;
    private int position;
    private int nesting;

    TokenStream(List<Token> tokens) {
        this.tokens = tokens;
    }

    Token peek() {
        return tokens.get(position);
    }

    Token peek(int ahead) {
        return tokens.get(Math.min(position + ahead, tokens.size() - 1));
    }

    Token next() {
        Token t = tokens.get(position);
        if (t.kind() != Kind.EOF) {
            position++;
        }
        return t;
    }

    TemplateException error(String message, Token at) {
        return new TemplateException(message, at.line());
    }

    Token expect(Kind kind, String what) {
        Token t = peek();
        if (t.kind() != kind) {
            throw error("expected " + what + ", got '" + t.describe() + "'", t);
        }
        return next();
    }

    void expectOperator(String op) {
        Token t = peek();
        if (!t.isOperator(op)) {
            throw error("expected '" + op + "', got '" + t.describe() + "'", t);
        }
        next();
    }

    boolean skipOperator(String op) {
        if (peek().isOperator(op)) {
            next();
            return true;
        }
        return false;
    }

    boolean skipName(String name) {
        if (peek().isName(name)) {
            next();
            return true;
        }
        return false;
    }

    String expectName() {
        return expect(Kind.NAME, "name").text();
    }

    void expectBlockEnd() {
        expect(Kind.BLOCK_END, "end of statement block");
    }

    void enter(Token at) {
        if (++nesting > MAX_NESTING) {
            throw error("template nesting too deep (more than " + MAX_NESTING + " levels)", at);
        }
    }

    void leave() {
        nesting--;
    }
}
