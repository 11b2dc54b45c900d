package dev.quill.chat;

import dev.quill.chat.Token.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Splits template source into tokens the way Jinja2's lexer does with {@code trim_blocks} and
 * {@code lstrip_blocks} on (the Hugging Face configuration): comments vanish, {@code {% raw %}}
 * content becomes text, and whitespace control ({@code -}/{@code +} on tags) is applied here so
 * the parser only ever sees final text.
 */
final class Lexer {
    private static final String[] OPERATORS = {
        "//", "**", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"
    };

    private final String src;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int line = 1;
    /** Whether the previous match ended a line; lstrip_blocks also strips at the very start. */
    private boolean lineStarting = true;

    private Lexer(String src) {
        this.src = src;
    }

    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(normalizeNewlines(source));
        lexer.run();
        return lexer.tokens;
    }

    /** Jinja2 turns every line break into \n and drops one trailing newline (keep_trailing_newline off). */
    static String normalizeNewlines(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private void run() {
        int n = src.length();
        while (pos < n) {
            int tag = nextTagStart(pos);
            if (tag < 0) {
                emitText(src.substring(pos));
                pos = n;
                break;
            }
            char kind = src.charAt(tag + 1);
            char sign = tag + 2 < n ? src.charAt(tag + 2) : '\0';
            boolean signed = sign == '-' || sign == '+';
            String text = src.substring(pos, tag);
            if (sign == '-') {
                text = PyStrings.rstrip(text);
            } else if (sign != '+' && kind != '{') {
                text = lstripBeforeBlock(text);
            }
            int textLine = line;
            line += countNewlines(src, pos, tag);
            if (!text.isEmpty()) {
                tokens.add(new Token(Kind.TEXT, text, text, textLine));
            }
            pos = tag + 2 + (signed ? 1 : 0);
            switch (kind) {
                case '#' -> lexComment();
                case '{' -> lexTag(Kind.VARIABLE_BEGIN, Kind.VARIABLE_END, tag);
                default -> {
                    if (!lexRaw()) {
                        lexTag(Kind.BLOCK_BEGIN, Kind.BLOCK_END, tag);
                    }
                }
            }
        }
        tokens.add(new Token(Kind.EOF, "", null, line));
    }

    private int nextTagStart(int from) {
        int i = src.indexOf('{', from);
        while (i >= 0 && i + 1 < src.length()) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
            i = src.indexOf('{', i + 1);
        }
        return -1;
    }

    private void emitText(String text) {
        if (!text.isEmpty()) {
            tokens.add(new Token(Kind.TEXT, text, text, line));
            line += countNewlines(text, 0, text.length());
        }
    }

    /** lstrip_blocks: drop spaces between a line start and a block or comment tag. */
    private String lstripBeforeBlock(String text) {
        int lineStart = text.lastIndexOf('\n') + 1;
        if ((lineStart > 0 || lineStarting) && PyStrings.isAllSpace(text, lineStart)) {
            return text.substring(0, lineStart);
        }
        return text;
    }

    private void lexComment() {
        int end = src.indexOf("#}", pos);
        if (end < 0) {
            throw new TemplateException("Missing end of comment tag", line);
        }
        char before = end > pos ? src.charAt(end - 1) : '\0';
        line += countNewlines(src, pos, end);
        pos = end + 2;
        finishTag(before == '-' ? '-' : before == '+' ? '+' : '\0');
    }

    /** After a tag: "-" eats all following whitespace, "+" nothing, otherwise trim_blocks eats one newline. */
    private void finishTag(char sign) {
        if (sign == '-') {
            skipWhitespace();
        } else if (sign != '+' && pos < src.length() && src.charAt(pos) == '\n') {
            pos++;
            line++;
        }
        lineStarting = src.charAt(pos - 1) == '\n';
    }

    private void skipWhitespace() {
        while (pos < src.length() && PyStrings.isSpace(src.charAt(pos))) {
            if (src.charAt(pos) == '\n') {
                line++;
            }
            pos++;
        }
    }

    /** {@code {% raw %}...{% endraw %}}: everything in between is text. */
    private boolean lexRaw() {
        int p = skipSpaces(pos);
        if (!src.startsWith("raw", p)) {
            return false;
        }
        p = skipSpaces(p + 3);
        int afterOpen;
        if (src.startsWith("-%}", p)) {
            afterOpen = skipSpaces(p + 3);
        } else if (src.startsWith("%}", p)) {
            afterOpen = p + 2;
        } else {
            return false;
        }
        line += countNewlines(src, pos, afterOpen);
        int search = afterOpen;
        while (true) {
            int open = src.indexOf("{%", search);
            if (open < 0) {
                throw new TemplateException("Missing end of raw directive", line);
            }
            char sign = open + 2 < src.length() ? src.charAt(open + 2) : '\0';
            int q = skipSpaces(open + 2 + (sign == '-' || sign == '+' ? 1 : 0));
            if (src.startsWith("endraw", q)) {
                q = skipSpaces(q + 6);
                char endSign = src.startsWith("-%}", q) ? '-' : src.startsWith("+%}", q) ? '+' : '\0';
                if (endSign != '\0' || src.startsWith("%}", q)) {
                    lineStarting = afterOpen > 0 && src.charAt(afterOpen - 1) == '\n';
                    String text = src.substring(afterOpen, open);
                    if (sign == '-') {
                        text = PyStrings.rstrip(text);
                    } else if (sign != '+') {
                        text = lstripBeforeBlock(text);
                    }
                    int textLine = line;
                    line += countNewlines(src, afterOpen, q);
                    if (!text.isEmpty()) {
                        tokens.add(new Token(Kind.TEXT, text, text, textLine));
                    }
                    pos = q + (endSign != '\0' ? 3 : 2);
                    finishTag(endSign);
                    return true;
                }
            }
            search = open + 2;
        }
    }

    private int skipSpaces(int p) {
        while (p < src.length() && PyStrings.isSpace(src.charAt(p))) {
            p++;
        }
        return p;
    }

    private void lexTag(Kind begin, Kind end, int tagStart) {
        tokens.add(new Token(begin, src.substring(tagStart, pos), null, line));
        boolean block = begin == Kind.BLOCK_BEGIN;
        Deque<Character> open = new ArrayDeque<>();
        while (true) {
            skipWhitespace();
            if (pos >= src.length()) {
                throw new TemplateException("unexpected end of template, expected '" + (block ? "%}" : "}}") + "'", line);
            }
            // Inside brackets "}}" closes a nested dict, not the tag, as in Jinja2.
            if (open.isEmpty()) {
                String closer = block ? "%}" : "}}";
                if (src.startsWith("-" + closer, pos)) {
                    tokens.add(new Token(end, "-" + closer, null, line));
                    pos += 3;
                    finishTag('-');
                    return;
                }
                if (block && src.startsWith("+%}", pos)) {
                    tokens.add(new Token(end, "+%}", null, line));
                    pos += 3;
                    finishTag('+');
                    return;
                }
                if (src.startsWith(closer, pos)) {
                    tokens.add(new Token(end, closer, null, line));
                    pos += 2;
                    if (block) {
                        finishTag('\0');
                    } else {
                        lineStarting = false;
                    }
                    return;
                }
            }
            lexExpressionToken(open);
        }
    }

    private void lexExpressionToken(Deque<Character> open) {
        char c = src.charAt(pos);
        if (c >= '0' && c <= '9') {
            lexNumber();
        } else if (c == '\'' || c == '"') {
            lexString(c);
        } else if (Character.isUnicodeIdentifierStart(c) || c == '_') {
            int start = pos;
            while (pos < src.length() && (Character.isUnicodeIdentifierPart(src.charAt(pos))
                    && !Character.isIdentifierIgnorable(src.charAt(pos)))) {
                pos++;
            }
            String name = src.substring(start, pos);
            tokens.add(new Token(Kind.NAME, name, name, line));
        } else {
            for (String op : OPERATORS) {
                if (src.startsWith(op, pos)) {
                    balance(op, open);
                    tokens.add(new Token(Kind.OPERATOR, op, op, line));
                    pos += op.length();
                    return;
                }
            }
            throw new TemplateException("unexpected char '" + c + "'", line);
        }
    }

    private void balance(String op, Deque<Character> open) {
        switch (op) {
            case "(" -> open.push(')');
            case "[" -> open.push(']');
            case "{" -> open.push('}');
            case ")", "]", "}" -> {
                if (open.isEmpty()) {
                    throw new TemplateException("unexpected '" + op + "'", line);
                }
                char expected = open.pop();
                if (expected != op.charAt(0)) {
                    throw new TemplateException("unexpected '" + op + "', expected '" + expected + "'", line);
                }
            }
            default -> {
            }
        }
    }

    private void lexNumber() {
        int start = pos;
        int n = src.length();
        if (src.charAt(pos) == '0' && pos + 1 < n && "bBoOxX".indexOf(src.charAt(pos + 1)) >= 0) {
            int radix = switch (Character.toLowerCase(src.charAt(pos + 1))) {
                case 'b' -> 2;
                case 'o' -> 8;
                default -> 16;
            };
            int p = pos + 2;
            while (p < n && (Character.digit(src.charAt(p), radix) >= 0 || src.charAt(p) == '_')) {
                p++;
            }
            String digits = src.substring(pos + 2, p).replace("_", "");
            pos = p;
            tokens.add(new Token(Kind.INTEGER, src.substring(start, p), parseLong(digits, radix), line));
            return;
        }
        int p = scanDigits(pos);
        int floatEnd = -1;
        // A number right after a dot is an index ("foo.0.1" is foo[0][1]), never a float.
        boolean afterDot = start > 0 && src.charAt(start - 1) == '.';
        if (!afterDot) {
            int q = p;
            boolean fraction = false;
            if (q + 1 < n && src.charAt(q) == '.' && isDigit(src.charAt(q + 1))) {
                q = scanDigits(q + 1);
                fraction = true;
            }
            if (q < n && (src.charAt(q) == 'e' || src.charAt(q) == 'E')) {
                int r = q + 1;
                if (r < n && (src.charAt(r) == '+' || src.charAt(r) == '-')) {
                    r++;
                }
                if (r < n && isDigit(src.charAt(r))) {
                    floatEnd = scanDigits(r);
                } else if (fraction) {
                    floatEnd = q;
                }
            } else if (fraction) {
                floatEnd = q;
            }
        }
        if (floatEnd > 0) {
            String text = src.substring(start, floatEnd);
            pos = floatEnd;
            tokens.add(new Token(Kind.FLOAT, text, Double.parseDouble(text.replace("_", "")), line));
        } else {
            String text = src.substring(start, p);
            pos = p;
            tokens.add(new Token(Kind.INTEGER, text, parseLong(text.replace("_", ""), 10), line));
        }
    }

    private Long parseLong(String digits, int radix) {
        try {
            return Long.parseLong(digits, radix);
        } catch (NumberFormatException e) {
            throw new TemplateException("invalid or too large integer literal '" + digits + "'", line);
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Digits with single underscores between them, as Python literals allow. */
    private int scanDigits(int p) {
        int n = src.length();
        while (p < n) {
            if (isDigit(src.charAt(p))) {
                p++;
            } else if (src.charAt(p) == '_' && p + 1 < n && isDigit(src.charAt(p + 1)) && isDigit(src.charAt(p - 1))) {
                p++;
            } else {
                break;
            }
        }
        return p;
    }

    private void lexString(char quote) {
        int p = pos + 1;
        int n = src.length();
        while (p < n && src.charAt(p) != quote) {
            p += src.charAt(p) == '\\' ? 2 : 1;
        }
        if (p >= n) {
            throw new TemplateException("unterminated string literal", line);
        }
        String body = src.substring(pos + 1, p);
        String value = unescape(body);
        tokens.add(new Token(Kind.STRING, src.substring(pos, p + 1), value, line));
        line += countNewlines(body, 0, body.length());
        pos = p + 1;
    }

    /** Python's unicode-escape decoding, which Jinja2 applies to string literals. */
    private String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case '\n' -> {
                    // backslash-newline continues the line
                }
                case '\\', '\'', '"' -> sb.append(e);
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'v' -> sb.append('\u000B');
                case 'x', 'u', 'U' -> {
                    int len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + len >= s.length()) {
                        throw new TemplateException("truncated \\" + e + " escape in string literal", line);
                    }
                    String hex = s.substring(i + 1, i + 1 + len);
                    int cp;
                    try {
                        cp = Integer.parseInt(hex, 16);
                    } catch (NumberFormatException ex) {
                        throw new TemplateException("truncated \\" + e + " escape in string literal", line);
                    }
                    if (!Character.isValidCodePoint(cp)) {
                        throw new TemplateException("illegal Unicode character in string literal", line);
                    }
                    sb.appendCodePoint(cp);
                    i += len;
                }
                case 'N' -> {
                    int close = s.indexOf('}', i);
                    if (i + 1 >= s.length() || s.charAt(i + 1) != '{' || close < 0) {
                        throw new TemplateException("malformed \\N character escape in string literal", line);
                    }
                    try {
                        sb.appendCodePoint(Character.codePointOf(s.substring(i + 2, close)));
                    } catch (IllegalArgumentException ex) {
                        throw new TemplateException("unknown Unicode character name in string literal", line);
                    }
                    i = close;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i;
                        while (end < s.length() && end < i + 3 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
                            end++;
                        }
                        sb.appendCodePoint(Integer.parseInt(s.substring(i, end), 8));
                        i = end - 1;
                    } else {
                        // Python keeps unknown escapes verbatim.
                        sb.append('\\').append(e);
                    }
                }
            }
        }
        return sb.toString();
    }

    private static int countNewlines(String s, int from, int to) {
        int count = 0;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == '\n') {
                count++;
            }
        }
        return count;
    }
}
