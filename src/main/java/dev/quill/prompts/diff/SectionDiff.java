package dev.quill.prompts.diff;

import java.util.List;

/** The line diff of one body: {@code prompt}, {@code message 2 (user)} or {@code step facts}. */
public record SectionDiff(String section, List<DiffHunk> hunks) {
    public SectionDiff {
        hunks = List.copyOf(hunks);
    }
}
