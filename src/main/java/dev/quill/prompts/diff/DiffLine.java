package dev.quill.prompts.diff;

/**
 * One line of a diff hunk.
 *
 * @param op      ' ' unchanged, '-' only in the old text, '+' only in the new
 * @param oldLine 1-based line number in the old text, or 0 for an added line
 * @param newLine 1-based line number in the new text, or 0 for a removed line
 * @param text    the line without its line break
 */
public record DiffLine(char op, int oldLine, int newLine, String text) {
}
