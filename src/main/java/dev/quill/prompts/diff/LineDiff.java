package dev.quill.prompts.diff;

import java.util.ArrayList;
import java.util.List;

/**
 * Line-based diff by longest common subsequence: common prefix and suffix are matched first, the
 * rest with the classic dynamic programme. Texts whose differing middles would need more than
 * {@link #MAX_CELLS} table cells are reported as all old lines removed and all new lines added,
 * which is correct, only less precise.
 */
public final class LineDiff {
    public static final int CONTEXT = 3;
    public static final long MAX_CELLS = 25_000_000L;

    private LineDiff() {
    }

    public static List<String> lines(String text) {
        return text.isEmpty() ? List.of() : List.of(text.split("\n", -1));
    }

    /** Every line of both texts in order, each marked unchanged, removed or added. */
    public static List<DiffLine> script(String oldText, String newText) {
        List<String> a = lines(oldText);
        List<String> b = lines(newText);
        int prefix = 0;
        while (prefix < a.size() && prefix < b.size() && a.get(prefix).equals(b.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < a.size() - prefix && suffix < b.size() - prefix
                && a.get(a.size() - 1 - suffix).equals(b.get(b.size() - 1 - suffix))) {
            suffix++;
        }
        List<DiffLine> out = new ArrayList<>();
        for (int i = 0; i < prefix; i++) {
            out.add(new DiffLine(' ', i + 1, i + 1, a.get(i)));
        }
        List<String> am = a.subList(prefix, a.size() - suffix);
        List<String> bm = b.subList(prefix, b.size() - suffix);
        int n = am.size();
        int m = bm.size();
        if ((long) (n + 1) * (m + 1) > MAX_CELLS) {
            for (int i = 0; i < n; i++) {
                out.add(new DiffLine('-', prefix + i + 1, 0, am.get(i)));
            }
            for (int j = 0; j < m; j++) {
                out.add(new DiffLine('+', 0, prefix + j + 1, bm.get(j)));
            }
        } else {
            // lcs[i][j] = length of the LCS of am[i..] and bm[j..]
            int[][] lcs = new int[n + 1][m + 1];
            for (int i = n - 1; i >= 0; i--) {
                for (int j = m - 1; j >= 0; j--) {
                    lcs[i][j] = am.get(i).equals(bm.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
                }
            }
            int i = 0;
            int j = 0;
            while (i < n || j < m) {
                if (i < n && j < m && am.get(i).equals(bm.get(j))) {
                    out.add(new DiffLine(' ', prefix + i + 1, prefix + j + 1, am.get(i)));
                    i++;
                    j++;
                } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
                    // On a tie the removal goes first, so a changed line reads "-old" then "+new".
                    out.add(new DiffLine('-', prefix + i + 1, 0, am.get(i)));
                    i++;
                } else {
                    out.add(new DiffLine('+', 0, prefix + j + 1, bm.get(j)));
                    j++;
                }
            }
        }
        for (int k = suffix; k > 0; k--) {
            out.add(new DiffLine(' ', a.size() - k + 1, b.size() - k + 1, a.get(a.size() - k)));
        }
        return out;
    }

    /** The changes grouped into hunks with {@link #CONTEXT} lines of context; empty when the texts are equal. */
    public static List<DiffHunk> hunks(String oldText, String newText) {
        List<DiffLine> script = script(oldText, newText);
        List<DiffHunk> hunks = new ArrayList<>();
        int k = 0;
        while (k < script.size()) {
            if (script.get(k).op() == ' ') {
                k++;
                continue;
            }
            int from = Math.max(0, k - CONTEXT);
            // Extend while the next change is within 2 * CONTEXT unchanged lines.
            int end = k;
            int lastChange = k;
            while (end < script.size()) {
                if (script.get(end).op() != ' ') {
                    lastChange = end;
                } else if (end - lastChange > 2 * CONTEXT) {
                    break;
                }
                end++;
            }
            int to = Math.min(script.size(), lastChange + CONTEXT + 1);
            hunks.add(hunk(script.subList(from, to), script, from));
            k = to;
        }
        return hunks;
    }

    private static DiffHunk hunk(List<DiffLine> lines, List<DiffLine> script, int from) {
        int oldCount = (int) lines.stream().filter(l -> l.op() != '+').count();
        int newCount = (int) lines.stream().filter(l -> l.op() != '-').count();
        // Line numbers before the hunk: the last old / new line seen up to it.
        int oldBefore = 0;
        int newBefore = 0;
        for (int i = 0; i < from; i++) {
            DiffLine l = script.get(i);
            if (l.op() != '+') {
                oldBefore = l.oldLine();
            }
            if (l.op() != '-') {
                newBefore = l.newLine();
            }
        }
        return new DiffHunk(oldCount == 0 ? oldBefore : oldBefore + 1, oldCount, newCount == 0 ? newBefore : newBefore + 1, newCount, lines);
    }

    /** The hunks as unified-diff text. */
    public static String unified(List<DiffHunk> hunks) {
        StringBuilder b = new StringBuilder();
        for (DiffHunk h : hunks) {
            b.append(h.header()).append('\n');
            for (DiffLine l : h.lines()) {
                b.append(l.op()).append(l.text()).append('\n');
            }
        }
        return b.toString();
    }
}
