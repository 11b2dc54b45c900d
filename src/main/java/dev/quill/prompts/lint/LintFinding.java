package dev.quill.prompts.lint;

/**
 * One problem the linter found.
 *
 * @param rule       the rule id: negative-statement, long-paragraph, no-output-constraint, multiple-tasks, vague-term
 * @param location   where in a template: "prompt", "message 2 (user)", "step facts"
 * @param start      first character of the problem in that text (0-based)
 * @param end        one past its last character; equal to start for something missing (at the place to add it)
 * @param excerpt    the text between start and end
 * @param message    what is wrong
 * @param suggestion a rewrite or what to add
 */
public record LintFinding(String rule, String location, int start, int end, String excerpt, String message, String suggestion) {
}
