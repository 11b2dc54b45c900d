package dev.quill.sampling;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds stop strings in streamed text without ever emitting any part of one. Feed each piece of
 * decoded text to {@link #accept}; it returns what is safe to show now and holds back a trailing
 * piece that might be the start of a stop string. Once a stop string is complete, the text before
 * it is released, it and everything after it are dropped, and {@link #stopped()} turns true. At the
 * end of generation (without a stop), {@link #flush()} releases what is still held back.
 *
 * <p>The result does not depend on how the text is split into pieces: the match used is the one
 * that completes first in the text, and among those completing at the same character the one
 * starting earliest (so for stops "abc" and "b", text "abc" stops at "b" and emits "a", whether it
 * arrives whole or one character at a time). Empty stop strings are ignored. Not thread-safe.
 */
public final class StopStringMatcher {
    private final String[] stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;
    private String matchedStop;

    public StopStringMatcher(List<String> stopStrings) {
        List<String> nonEmpty = new ArrayList<>();
        for (String s : stopStrings) {
            if (s == null) {
                throw new IllegalArgumentException("stop strings must not be null");
            }
            if (!s.isEmpty()) {
                nonEmpty.add(s);
            }
        }
        this.stops = nonEmpty.toArray(String[]::new);
    }

    public static StopStringMatcher of(String... stopStrings) {
        return new StopStringMatcher(List.of(stopStrings));
    }

    /** Whether a stop string has been seen; later input is then ignored. */
    public boolean stopped() {
        return stopped;
    }

    /** The stop string that ended generation, or null while none has. */
    public String matchedStop() {
        return matchedStop;
    }

    /**
     * Takes the next piece of generated text and returns the part that can be emitted now (possibly
     * empty). After a stop, returns the text up to the stop string once, then always "".
     */
    public String accept(String newText) {
        if (stopped || newText.isEmpty()) {
            return "";
        }
        if (stops.length == 0) {
            return newText;
        }
        held.append(newText);

        int bestEnd = Integer.MAX_VALUE;
        int bestStart = -1;
        String bestStop = null;
        for (String stop : stops) {
            // indexOf finds the earliest start, which for a fixed length is also the earliest end.
            int start = held.indexOf(stop);
            if (start < 0) {
                continue;
            }
            int end = start + stop.length();
            if (end < bestEnd || (end == bestEnd && start < bestStart)) {
                bestEnd = end;
                bestStart = start;
                bestStop = stop;
            }
        }
        if (bestStop != null) {
            stopped = true;
            matchedStop = bestStop;
            String before = held.substring(0, bestStart);
            held.setLength(0);
            return before;
        }

        int keep = longestSuffixThatStartsAStop();
        int emit = held.length() - keep;
        String out = held.substring(0, emit);
        held.delete(0, emit);
        return out;
    }

    /** Releases the held-back text at the end of generation; "" after a stop. */
    public String flush() {
        String out = held.toString();
        held.setLength(0);
        return out;
    }

    /**
     * The length of the longest suffix of the held text that is a proper prefix of some stop
     * string. Any future match must begin inside that suffix, so everything before it is safe.
     */
    private int longestSuffixThatStartsAStop() {
        int length = held.length();
        int longest = 0;
        for (String stop : stops) {
            int max = Math.min(stop.length() - 1, length);
            for (int k = max; k > longest; k--) {
                if (regionMatchesStop(length - k, stop, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    private boolean regionMatchesStop(int from, String stop, int length) {
        for (int i = 0; i < length; i++) {
            if (held.charAt(from + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
