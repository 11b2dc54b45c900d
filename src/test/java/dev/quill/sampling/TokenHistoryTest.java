package dev.quill.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenHistoryTest {

    private static Set<Integer> distinct(TokenHistory history) {
        Set<Integer> tokens = new HashSet<>();
        for (int i = 0; i < history.distinctCount(); i++) {
            tokens.add(history.distinctToken(i));
        }
        return tokens;
    }

    @Test
    void countsOnlyTheLastWindowTokens() {
        TokenHistory history = new TokenHistory(10, 3);
        history.addAll(new int[] {5, 5, 7, 5, 9});
        // window: 7 5 9
        assertEquals(1, history.count(5));
        assertEquals(1, history.count(7));
        assertEquals(1, history.count(9));
        assertEquals(Set.of(5, 7, 9), distinct(history));
        history.add(9);
        // window: 5 9 9
        assertEquals(0, history.count(7));
        assertEquals(2, history.count(9));
        assertEquals(Set.of(5, 9), distinct(history));
        assertEquals(6, history.size());
    }

    @Test
    void aWindowOfMinusOneCountsTheWholeHistoryAndZeroCountsNothing() {
        TokenHistory whole = new TokenHistory(4, -1);
        TokenHistory none = new TokenHistory(4, 0);
        for (int i = 0; i < 1000; i++) {
            whole.add(i % 4 == 0 ? 0 : 1);
            none.add(i % 4 == 0 ? 0 : 1);
        }
        assertEquals(250, whole.count(0));
        assertEquals(750, whole.count(1));
        assertEquals(0, none.count(0));
        assertEquals(0, none.distinctCount());
        assertEquals(1000, none.size());
        assertEquals(1, none.get(999));
    }

    @Test
    void incrementalCountsMatchARecountOfTheWindow() {
        Random random = new Random(1);
        for (int window : new int[] {1, 2, 7, 64, -1}) {
            int vocab = 12;
            TokenHistory history = new TokenHistory(vocab, window);
            int[] sequence = new int[600];
            for (int step = 0; step < sequence.length; step++) {
                sequence[step] = random.nextInt(vocab);
                history.add(sequence[step]);
                int from = window < 0 ? 0 : Math.max(0, step + 1 - window);
                int[] expected = new int[vocab];
                Set<Integer> expectedDistinct = new HashSet<>();
                for (int i = from; i <= step; i++) {
                    expected[sequence[i]]++;
                    expectedDistinct.add(sequence[i]);
                }
                for (int t = 0; t < vocab; t++) {
                    assertEquals(expected[t], history.count(t), "window " + window + " step " + step + " token " + t);
                }
                assertEquals(expectedDistinct, distinct(history));
            }
        }
    }

    @Test
    void keepsEveryTokenBeyondItsInitialCapacity() {
        TokenHistory history = new TokenHistory(50_000, 64);
        int[] tokens = new int[5000];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (i * 7919) % 50_000;
        }
        history.addAll(tokens);
        assertArrayEquals(tokens, history.toArray());
        assertEquals(tokens[4321], history.get(4321));
    }

    @Test
    void clearForgetsTokensAndCounts() {
        TokenHistory history = new TokenHistory(10, 4);
        history.addAll(new int[] {1, 2, 2, 3});
        history.clear();
        assertEquals(0, history.size());
        assertEquals(0, history.count(2));
        assertEquals(0, history.distinctCount());
        history.add(2);
        assertEquals(1, history.count(2));
    }

    @Test
    void rejectsTokensOutsideTheVocabulary() {
        TokenHistory history = new TokenHistory(10, 4);
        assertThrows(IllegalArgumentException.class, () -> history.add(10));
        assertThrows(IllegalArgumentException.class, () -> history.add(-1));
        assertEquals(0, history.size());
    }
}
