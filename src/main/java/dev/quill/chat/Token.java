package dev.quill.chat;

/** One lexical token; {@code value} holds the decoded literal of strings and numbers. */
record Token(Kind kind, String text, Object value, int line) {

    enum Kind { TEXT, VARIABLE_BEGIN, VARIABLE_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF }

    boolean isName(String name) {
        return kind == Kind.NAME && text.equals(name);
    }

    boolean isOperator(String op) {
        return kind == Kind.OPERATOR && text.equals(op);
    }

    /** How error messages name this token. */
    String describe() {
        return switch (kind) {
            case EOF -> "end of template";
            case BLOCK_END -> "end of statement block";
            case VARIABLE_END -> "end of print statement";
            case BLOCK_BEGIN -> "begin of statement block";
            case VARIABLE_BEGIN -> "begin of print statement";
            case TEXT -> "template data";
            default -> text;
        };
    }
}
