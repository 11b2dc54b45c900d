package dev.quill.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Python {@code str} semantics on Java strings. Python indexes strings by code point, Java by
 * UTF-16 unit, so everything that counts or indexes goes through code points here.
 */
final class PyStrings {
    private PyStrings() {
    }

    /** Python's {@code str.isspace} for one code point (also what {@code \s} matches in re). */
    static boolean isSpace(int cp) {
        return switch (cp) {
            case ' ', '\t', '\n', 0x0B, '\f', '\r', 0x1C, 0x1D, 0x1E, 0x1F, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F,
                 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    static boolean isAllSpace(String s, int from) {
        if (from >= s.length()) {
            return false;
        }
        for (int i = from; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (!isSpace(cp)) {
                return false;
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    /** The code points of {@code s}, one string each (what iterating a Python str yields). */
    static List<Object> characters(String s) {
        List<Object> out = new ArrayList<>(s.length());
        s.codePoints().forEach(cp -> out.add(Character.toString(cp)));
        return out;
    }

    /** Python {@code s[index]}, or null when out of range. */
    static String at(String s, long index) {
        int[] cps = s.codePoints().toArray();
        long i = index < 0 ? index + cps.length : index;
        if (i < 0 || i >= cps.length) {
            return null;
        }
        return Character.toString(cps[(int) i]);
    }

    static String slice(String s, Long start, Long stop, Long step) {
        int[] cps = s.codePoints().toArray();
        Slice sl = Slice.of(cps.length, start, stop, step);
        StringBuilder sb = new StringBuilder(sl.count());
        for (int k = 0; k < sl.count(); k++) {
            sb.appendCodePoint(cps[sl.index(k)]);
        }
        return sb.toString();
    }

    /** Python slice bounds resolved against a sequence length, as {@code slice.indices} does. */
    record Slice(int start, int step, int count) {
        static Slice of(int length, Long startArg, Long stopArg, Long stepArg) {
            long step = stepArg == null ? 1 : stepArg;
            if (step == 0) {
                throw new TemplateException("slice step cannot be zero");
            }
            long lower = step > 0 ? 0 : -1;
            long upper = step > 0 ? length : length - 1;
            long start = startArg == null ? (step < 0 ? upper : lower) : clamp(startArg, length, lower, upper);
            long stop = stopArg == null ? (step < 0 ? lower : upper) : clamp(stopArg, length, lower, upper);
            long count;
            if (step > 0) {
                count = stop > start ? (stop - start - 1) / step + 1 : 0;
            } else {
                count = start > stop ? (start - stop - 1) / (-step) + 1 : 0;
            }
            return new Slice((int) start, (int) Math.max(Math.min(step, Integer.MAX_VALUE), Integer.MIN_VALUE), (int) count);
        }

        private static long clamp(long index, int length, long lower, long upper) {
            long i = index < 0 ? index + length : index;
            return Math.max(lower, Math.min(upper, i));
        }

        int index(int k) {
            return start + k * step;
        }
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int[] cps = s.codePoints().toArray();
        int[] set = chars == null ? null : chars.codePoints().toArray();
        int from = 0;
        int to = cps.length;
        if (left) {
            while (from < to && stripped(cps[from], set)) {
                from++;
            }
        }
        if (right) {
            while (to > from && stripped(cps[to - 1], set)) {
                to--;
            }
        }
        return new String(cps, from, to - from);
    }

    private static boolean stripped(int cp, int[] set) {
        if (set == null) {
            return isSpace(cp);
        }
        for (int c : set) {
            if (c == cp) {
                return true;
            }
        }
        return false;
    }

    static String rstrip(String s) {
        return strip(s, null, false, true);
    }

    static String upper(String s) {
        return s.toUpperCase(Locale.ROOT);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** Python {@code str.split(sep, maxsplit)}; a null separator splits on whitespace runs. */
    static List<Object> split(String s, String sep, long maxSplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isSpace(s.codePointAt(i))) {
                    i += Character.charCount(s.codePointAt(i));
                }
                if (i >= n) {
                    break;
                }
                if (maxSplit >= 0 && out.size() >= maxSplit) {
                    out.add(s.substring(i));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(s.codePointAt(j))) {
                    j += Character.charCount(s.codePointAt(j));
                }
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new TemplateException("empty separator");
        }
        int from = 0;
        while (maxSplit < 0 || out.size() < maxSplit) {
            int at = s.indexOf(sep, from);
            if (at < 0) {
                break;
            }
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    /** Python {@code str.rsplit(sep, maxsplit)}. */
    static List<Object> rsplit(String s, String sep, long maxSplit) {
        if (maxSplit < 0) {
            return split(s, sep, -1);
        }
        List<Object> reversed = new ArrayList<>();
        if (sep == null) {
            int j = s.length();
            while (true) {
                while (j > 0 && isSpace(s.codePointBefore(j))) {
                    j -= Character.charCount(s.codePointBefore(j));
                }
                if (j <= 0) {
                    break;
                }
                if (reversed.size() >= maxSplit) {
                    reversed.add(s.substring(0, j));
                    break;
                }
                int i = j;
                while (i > 0 && !isSpace(s.codePointBefore(i))) {
                    i -= Character.charCount(s.codePointBefore(i));
                }
                reversed.add(s.substring(i, j));
                j = i;
            }
        } else {
            if (sep.isEmpty()) {
                throw new TemplateException("empty separator");
            }
            int to = s.length();
            while (reversed.size() < maxSplit) {
                int at = s.lastIndexOf(sep, to - sep.length());
                if (at < 0) {
                    break;
                }
                reversed.add(s.substring(at + sep.length(), to));
                to = at;
            }
            reversed.add(s.substring(0, to));
        }
        List<Object> out = new ArrayList<>(reversed.size());
        for (int i = reversed.size() - 1; i >= 0; i--) {
            out.add(reversed.get(i));
        }
        return out;
    }

    /** Python {@code str.splitlines(keepends)}: every Unicode line boundary Python knows. */
    static List<String> splitLines(String s, boolean keepEnds) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            int breakLen = 0;
            if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') {
                breakLen = 2;
            } else if (c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E
                    || c == 0x85 || c == 0x2028 || c == 0x2029) {
                breakLen = 1;
            }
            if (breakLen == 0) {
                i++;
                continue;
            }
            out.add(s.substring(start, keepEnds ? i + breakLen : i));
            i += breakLen;
            start = i;
        }
        if (start < n) {
            out.add(s.substring(start));
        }
        return out;
    }

    /** Python {@code str.title()}: a cased letter after an uncased character starts a word. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean cased = Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
            if (cased) {
                sb.append(previousCased ? lower(Character.toString(cp)) : titleCase(cp));
            } else {
                sb.appendCodePoint(cp);
            }
            previousCased = cased;
        }
        return sb.toString();
    }

    /** Python {@code str.capitalize()}: first character title-cased, the rest lower-cased. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        return titleCase(first) + lower(s.substring(Character.charCount(first)));
    }

    private static String titleCase(int cp) {
        String upper = upper(Character.toString(cp));
        // Java has no full title-case mapping; single-char title case covers the digraphs (ǆ → ǅ).
        return upper.codePointCount(0, upper.length()) == 1 ? Character.toString(Character.toTitleCase(cp)) : upper;
    }

    /** Python {@code str.center(width)} with its odd-padding rule. */
    static String center(String s, int width, String fill) {
        int len = length(s);
        if (width <= len) {
            return s;
        }
        int pad = width - len;
        int left = pad / 2 + (pad & width & 1);
        return fill.repeat(left) + s + fill.repeat(pad - left);
    }

    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    static boolean allMatch(String s, java.util.function.IntPredicate p) {
        return !s.isEmpty() && s.codePoints().allMatch(p);
    }

    /** Python {@code str.isupper}/{@code islower}: some cased characters, all of one case. */
    static boolean isCase(String s, boolean upper) {
        boolean anyCased = false;
        for (int cp : s.codePoints().toArray()) {
            if (upper ? Character.isLowerCase(cp) || Character.isTitleCase(cp) : Character.isUpperCase(cp) || Character.isTitleCase(cp)) {
                return false;
            }
            if (upper ? Character.isUpperCase(cp) : Character.isLowerCase(cp)) {
                anyCased = true;
            }
        }
        return anyCased;
    }
}
