package dev.quill.prompts.diff;

import java.util.List;

/**
 * A run of changes with up to {@link LineDiff#CONTEXT} unchanged lines around them, as in a unified
 * diff: {@code @@ -oldStart,oldCount +newStart,newCount @@}. Starts are 1-based; a count of 0
 * means the hunk only adds (or only removes) lines, and its start is the line before.
 */
public record DiffHunk(int oldStart, int oldCount, int newStart, int newCount, List<DiffLine> lines) {
    public DiffHunk {
        lines = List.copyOf(lines);
    }

    public String header() {
        return "@@ -" + oldStart + "," + oldCount + " +" + newStart + "," + newCount + " @@";
    }
}
