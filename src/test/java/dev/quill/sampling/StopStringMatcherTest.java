package dev.quill.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StopStringMatcherTest {

    /** Feeds the pieces in order and returns what was emitted at each step, then the flush. */
    private static List<String> run(StopStringMatcher matcher, String... pieces) {
        List<String> emitted = new ArrayList<>();
        for (String piece : pieces) {
            emitted.add(matcher.accept(piece));
        }
        emitted.add(matcher.flush());
        return emitted;
    }

    @Test
    void aStopStringSplitAcrossTokensNeverLeaks() {
        StopStringMatcher matcher = StopStringMatcher.of("\n\nUser:");
        assertEquals(List.of("Hello", "", "", "", ""), run(matcher, "Hello", "\n", "\nUs", "er:"));
        assertTrue(matcher.stopped());
        assertEquals("\n\nUser:", matcher.matchedStop());
    }

    @Test
    void textBeforeTheStopInTheSameTokenIsEmittedAndNothingAfterIt() {
        StopStringMatcher matcher = StopStringMatcher.of("STOP");
        assertEquals(List.of("ab", "cd ", "", ""), run(matcher, "ab", "cd STOP ef", "more text"));
        assertTrue(matcher.stopped());
    }

    @Test
    void aFalseStartIsReleasedOnceItCanNoLongerMatch() {
        StopStringMatcher matcher = StopStringMatcher.of("\n\nUser:");
        assertEquals(List.of("Hi", "", "", "\n\nUsing it", ""), run(matcher, "Hi", "\n", "\nUs", "ing it"));
        assertFalse(matcher.stopped());
        assertNull(matcher.matchedStop());
    }

    @Test
    void flushReleasesAHeldBackPrefixAtTheEnd() {
        StopStringMatcher matcher = StopStringMatcher.of("END");
        assertEquals(List.of("The ", "E"), run(matcher, "The E"));
        assertFalse(matcher.stopped());
    }

    @Test
    void aHeldPrefixCanTurnIntoALaterOverlappingMatch() {
        // "aab": after "aa" both a's could start "aab"; only the second one does.
        StopStringMatcher matcher = StopStringMatcher.of("aab");
        assertEquals(List.of("x", "", "a", ""), run(matcher, "x", "aa", "ab"));
        assertTrue(matcher.stopped());
    }

    @Test
    void theStopThatCompletesFirstWinsWhateverTheSplit() {
        // "b" completes at the second character, before "abc" does, so "a" is emitted.
        for (String[] pieces : List.of(new String[] {"abc"}, new String[] {"a", "b", "c"}, new String[] {"ab", "c"})) {
            StopStringMatcher matcher = StopStringMatcher.of("abc", "b");
            assertEquals("a", String.join("", run(matcher, pieces)), Arrays.toString(pieces));
            assertEquals("b", matcher.matchedStop());
        }
        // Two stops ending at the same character: the longer one, so no part of it leaks.
        StopStringMatcher sameEnd = StopStringMatcher.of("c", "bc");
        assertEquals("a", String.join("", run(sameEnd, "abcd")));
        assertEquals("bc", sameEnd.matchedStop());
    }

    @Test
    void emptyInputsAndEmptyStopsAreHarmless() {
        // The empty stop is ignored; "#" is held as a possible start of "##" until "b" rules it out,
        // and the final "#" is held again until the flush.
        StopStringMatcher matcher = StopStringMatcher.of("", "##");
        assertEquals(List.of("", "a", "", "", "#b", "#"), run(matcher, "", "a", "#", "", "b#"));
        assertFalse(matcher.stopped());
        // No stop strings at all: everything passes straight through.
        assertEquals(List.of("any\n\nUser:", ""), run(new StopStringMatcher(List.of()), "any\n\nUser:"));
        assertThrows(IllegalArgumentException.class, () -> new StopStringMatcher(Arrays.asList("a", null)));
    }

    /** Independent definition: cut at the first end position where some stop ends, longest first. */
    private static String expectedOutput(String text, List<String> stops) {
        for (int end = 1; end <= text.length(); end++) {
            int longest = -1;
            for (String stop : stops) {
                if (!stop.isEmpty() && stop.length() <= end && text.startsWith(stop, end - stop.length())) {
                    longest = Math.max(longest, stop.length());
                }
            }
            if (longest >= 0) {
                return text.substring(0, end - longest);
            }
        }
        return text;
    }

    @Test
    void randomTextsAndSplitsMatchTheReferenceDefinition() {
        Random random = new Random(5);
        String alphabet = "ab\n:";
        for (int trial = 0; trial < 3000; trial++) {
            List<String> stops = new ArrayList<>();
            int stopCount = 1 + random.nextInt(3);
            for (int s = 0; s < stopCount; s++) {
                stops.add(randomString(random, alphabet, 1 + random.nextInt(4)));
            }
            String text = randomString(random, alphabet, random.nextInt(25));
            StopStringMatcher matcher = new StopStringMatcher(stops);
            StringBuilder out = new StringBuilder();
            int at = 0;
            while (at < text.length()) {
                int piece = Math.min(text.length() - at, random.nextInt(5));
                String emitted = matcher.accept(text.substring(at, at + piece));
                out.append(emitted);
                at += piece;
                // Whatever has been emitted must already be final: a prefix of the expected output.
                String expected = expectedOutput(text, stops);
                assertTrue(expected.startsWith(out.toString()), "emitted too early: " + out + " stops " + stops + " text " + text);
            }
            out.append(matcher.flush());
            String expected = expectedOutput(text, stops);
            assertEquals(expected, out.toString(), "stops " + stops + " text " + text);
            assertEquals(expected.length() < text.length(), matcher.stopped(), "stops " + stops + " text " + text);
        }
    }

    private static String randomString(Random random, String alphabet, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
