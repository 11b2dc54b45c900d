package dev.quill.prompts.cot;

import dev.quill.prompts.AnswerFormat;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the final answer out of a model's answer-extraction output (Kojima et al.'s answer
 * cleansing), by format:
 * <ul>
 *   <li>number: the first number; thousands separators dropped ("1,234" → "1234"), decimals and
 *       negatives kept, a trailing period is not part of it</li>
 *   <li>choice: the first letter A–E standing alone or in parentheses</li>
 *   <li>yes-no: the first "yes" or "no" as a word, as "Yes" / "No"</li>
 *   <li>json: from the first '{' to the last '}'</li>
 *   <li>text and list: the text trimmed (text: its first line, without a final period)</li>
 * </ul>
 */
public final class AnswerCleaner {
    private static final Pattern NUMBER = Pattern.compile("[-−]?\\d+(?:\\.\\d+)?");
    private static final Pattern THOUSANDS = Pattern.compile("(?<=\\d),(?=\\d{3}(?!\\d))");
    private static final Pattern CHOICE = Pattern.compile("(?<![A-Za-z])\\(?([A-E])\\)?(?![A-Za-z'’])");
    private static final Pattern YES_NO = Pattern.compile("(?i)\\b(yes|no)\\b");
    private static final Pattern ANSWER_IS = Pattern.compile("(?i)answer\\s+(?:is|:)\\s*");

    private AnswerCleaner() {
    }

    /** The answer in the text, or empty when the text has none of the required form. */
    public static Optional<String> clean(AnswerFormat format, String text) {
        return first(format, text);
    }

    private static Optional<String> first(AnswerFormat format, String text) {
        String t = text.strip();
        return switch (format) {
            case NUMBER -> {
                Matcher m = NUMBER.matcher(THOUSANDS.matcher(t).replaceAll(""));
                yield m.find() ? Optional.of(m.group().replace('−', '-')) : Optional.empty();
            }
            case CHOICE -> {
                Matcher m = CHOICE.matcher(t);
                yield m.find() ? Optional.of(m.group(1)) : Optional.empty();
            }
            case YES_NO -> {
                Matcher m = YES_NO.matcher(t);
                yield m.find() ? Optional.of(m.group(1).equalsIgnoreCase("yes") ? "Yes" : "No") : Optional.empty();
            }
            case JSON -> {
                int open = t.indexOf('{');
                int close = t.lastIndexOf('}');
                yield open >= 0 && close > open ? Optional.of(t.substring(open, close + 1)) : Optional.empty();
            }
            case LIST -> t.isEmpty() ? Optional.empty() : Optional.of(t);
            case TEXT -> {
                String line = t.lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
                if (line.endsWith(".")) {
                    line = line.substring(0, line.length() - 1).strip();
                }
                yield line.isEmpty() ? Optional.empty() : Optional.of(line);
            }
        };
    }

    /**
     * The answer inside a whole chain of reasoning (one-call modes): what follows the last
     * "answer is" if the text has one; otherwise the last number / choice / yes-no, or the last line.
     */
    public static Optional<String> fromReasoning(AnswerFormat format, String reasoning) {
        Matcher m = ANSWER_IS.matcher(reasoning);
        int after = -1;
        while (m.find()) {
            after = m.end();
        }
        if (after >= 0) {
            Optional<String> a = first(format, reasoning.substring(after));
            if (a.isPresent()) {
                return a;
            }
        }
        Pattern last = switch (format) {
            case NUMBER -> NUMBER;
            case CHOICE -> CHOICE;
            case YES_NO -> YES_NO;
            default -> null;
        };
        if (last == null) {
            String[] lines = reasoning.strip().split("\n");
            return first(format, lines[lines.length - 1]);
        }
        String source = format == AnswerFormat.NUMBER ? THOUSANDS.matcher(reasoning).replaceAll("") : reasoning;
        Matcher lm = last.matcher(source);
        int start = -1;
        while (lm.find()) {
            start = lm.start();
        }
        return start < 0 ? Optional.empty() : first(format, source.substring(start));
    }
}
