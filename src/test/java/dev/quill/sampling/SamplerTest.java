package dev.quill.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final int LLAMA3_VOCAB = 128_256;

    private static float[] gaussianLogits(int vocabSize, double sigma, long seed) {
        Random random = new Random(seed);
        float[] logits = new float[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            logits[i] = (float) (random.nextGaussian() * sigma);
        }
        return logits;
    }

    /** Logits whose softmax is {@code probs}, placed at the given token ids of a vocabulary. */
    private static float[] logitsWithProbabilities(int vocabSize, int[] ids, double[] probs) {
        float[] logits = new float[vocabSize];
        java.util.Arrays.fill(logits, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < ids.length; i++) {
            logits[ids[i]] = (float) Math.log(probs[i]);
        }
        return logits;
    }

    private static int[] counts(Sampler sampler, float[] logits, int draws) {
        int[] counts = new int[logits.length];
        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(logits, null)]++;
        }
        return counts;
    }

    private static SamplingParams.Builder seeded(long seed) {
        return SamplingParams.builder().seed(seed);
    }

    // ---- greedy ----

    @Test
    void greedyReturnsTheArgmax() {
        for (long trial = 0; trial < 5; trial++) {
            float[] logits = gaussianLogits(50_000, 3, trial);
            int expected = ReferenceSampling.ranked(logits).get(0);
            assertEquals(expected, new Sampler(SamplingParams.greedy(), logits.length).sample(logits, null));
        }
    }

    @Test
    void greedyTiesGoToTheLowestId() {
        Sampler sampler = new Sampler(SamplingParams.greedy(), 5);
        assertEquals(1, sampler.sample(new float[] {1, 5, 3, 5, 5}, null));
        // -0 and +0 are equal logits, so the lower id wins whichever zero it holds.
        assertEquals(1, new Sampler(SamplingParams.greedy(), 3).sample(new float[] {-1f, -0f, 0f}, null));
    }

    @Test
    void topKOfOneIsGreedyAtEveryTemperature() {
        float[] logits = gaussianLogits(5_000, 2, 7);
        // Ties for the maximum, so that greedy and top-1 must agree on the tie-break too.
        logits[4000] = 9f;
        logits[1234] = 9f;
        logits[3999] = 9f;
        for (float temperature : new float[] {0.1f, 1f, 2f}) {
            for (long seed = 0; seed < 20; seed++) {
                SamplingParams params = seeded(seed).temperature(temperature).topK(1).topP(1).minP(0).build();
                assertEquals(1234, new Sampler(params, logits.length).sample(logits, null));
            }
        }
    }

    // ---- truncation ----

    @Test
    void topKKeepsExactlyTheKBestTokensOfALargeVocabulary() {
        float[] logits = gaussianLogits(LLAMA3_VOCAB, 1, 11);
        Set<Integer> best = new HashSet<>(ReferenceSampling.ranked(logits).subList(0, 5));
        Sampler sampler = new Sampler(seeded(3).temperature(2).noTruncation().topK(5).build(), logits.length);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 400; i++) {
            seen.add(sampler.sample(logits, null));
        }
        assertEquals(best, seen);
    }

    @Test
    void topKAmongEqualLogitsKeepsTheLowestIds() {
        float[] flat = new float[1000];
        Sampler sampler = new Sampler(seeded(5).temperature(1).noTruncation().topK(3).build(), flat.length);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            seen.add(sampler.sample(flat, null));
        }
        assertEquals(Set.of(0, 1, 2), seen);
    }

    @Test
    void topPKeepsTheSmallestNucleusAcrossSeeds() {
        int[] ids = {41, 7, 93, 12, 60};
        float[] logits = logitsWithProbabilities(100, ids, new double[] {0.5, 0.3, 0.1, 0.06, 0.04});
        // cumulative: 0.5, 0.8, 0.9, 0.96, 1.0
        Map<Float, Set<Integer>> nucleusByTopP = Map.of(
                0.45f, Set.of(41),
                0.75f, Set.of(41, 7),
                0.85f, Set.of(41, 7, 93),
                0.95f, Set.of(41, 7, 93, 12));
        for (Map.Entry<Float, Set<Integer>> e : nucleusByTopP.entrySet()) {
            Set<Integer> seen = new HashSet<>();
            for (long seed = 0; seed < 600; seed++) {
                SamplingParams params = seeded(seed).temperature(1.5f).noTruncation().topP(e.getKey()).build();
                seen.add(new Sampler(params, logits.length).sample(logits, null));
            }
            assertEquals(e.getValue(), seen, "top_p " + e.getKey());
        }
    }

    /**
     * A nucleus far larger than the sampler's first guess of 256 tokens, ending inside a run of
     * equal logits: the tokens of the run are kept in id order up to exactly the reference cut.
     */
    @Test
    void topPWithALargeNucleusEndingInATieKeepsTheLowestIdsOfTheTie() {
        int vocab = 10_000;
        float[] logits = new float[vocab];
        Random random = new Random(3);
        Set<Integer> heads = new HashSet<>();
        while (heads.size() < 299) {
            heads.add(random.nextInt(vocab));
        }
        for (int i = 0; i < vocab; i++) {
            logits[i] = heads.contains(i) ? 0f : -3f;
        }
        SamplingParams params = seeded(9).temperature(1).noTruncation().topP(0.6f).build();
        Set<Integer> nucleus = ReferenceSampling.keptDistribution(logits, params).keySet();
        int lastTailKept = nucleus.stream().filter(i -> !heads.contains(i)).max(Integer::compare).orElseThrow();
        assertTrue(nucleus.size() > 3000, "the case must exceed the first guess; nucleus " + nucleus.size());

        Sampler sampler = new Sampler(params, vocab);
        int highestTailSeen = -1;
        for (int i = 0; i < 1500; i++) {
            int token = sampler.sample(logits, null);
            assertTrue(nucleus.contains(token), "token " + token + " is outside the nucleus");
            if (!heads.contains(token)) {
                highestTailSeen = Math.max(highestTailSeen, token);
            }
        }
        // ~550 draws spread over ~3400 tail tokens: the highest one seen lies close to the cut.
        assertTrue(highestTailSeen > lastTailKept - 200, "nucleus cut too early: " + highestTailSeen + " vs " + lastTailKept);
    }

    /** Every draw lies in the reference set for the same params, on shapes that take every path. */
    @Test
    void truncationMatchesTheReferenceChainOnEveryPath() {
        float[] peaked = gaussianLogits(20_000, 2.5, 21);
        Random random = new Random(22);
        for (int i = 0; i < 20; i++) {
            peaked[random.nextInt(peaked.length)] += 9f;
        }
        float[] flat = gaussianLogits(20_000, 0.7, 23);
        List<SamplingParams> configs = List.of(
                seeded(1).temperature(1).noTruncation().topP(0.9f).build(),
                seeded(2).temperature(0.7f).noTruncation().topP(0.5f).build(),
                seeded(3).temperature(1.3f).noTruncation().topP(0.97f).minP(0.3f).build(),
                seeded(4).temperature(1).noTruncation().minP(0.1f).build(),
                seeded(5).temperature(1).noTruncation().topK(300).topP(0.8f).build(),
                seeded(6).temperature(1.8f).noTruncation().topK(50).minP(0.5f).build(),
                seeded(7).temperature(1).build());
        for (float[] logits : List.of(peaked, flat)) {
            for (SamplingParams params : configs) {
                Set<Integer> allowed = ReferenceSampling.keptDistribution(logits, params).keySet();
                Sampler sampler = new Sampler(params, logits.length);
                for (int i = 0; i < 150; i++) {
                    int token = sampler.sample(logits, null);
                    assertTrue(allowed.contains(token), "token " + token + " outside the kept set for " + params);
                }
            }
        }
    }

    @Test
    void minPExcludesTokensBelowTheFractionOfTheBestProbability() {
        int[] ids = {3, 17, 9, 30, 22};
        // min_p 0.2 of 0.4 = 0.08: 0.3 and 0.1 stay, 0.07 and 0.03 (and the rest at 0.1/995) go.
        float[] logits = logitsWithProbabilities(1000, ids, new double[] {0.4, 0.3, 0.1, 0.07, 0.03});
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] == Float.NEGATIVE_INFINITY) {
                logits[i] = (float) Math.log(0.1 / 995);
            }
        }
        List<SamplingParams> paths = List.of(
                seeded(1).temperature(2).noTruncation().minP(0.2f).build(),
                seeded(2).temperature(2).noTruncation().minP(0.2f).topK(10).build(),
                seeded(3).temperature(2).noTruncation().minP(0.2f).topP(0.999f).build());
        for (SamplingParams params : paths) {
            int[] counts = counts(new Sampler(params, logits.length), logits, 2000);
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] > 0) {
                    seen.add(i);
                }
            }
            assertEquals(Set.of(3, 17, 9), seen, params.toString());
        }
    }

    @Test
    void minPOfOneKeepsOnlyTheBestTokenEvenAtHighTemperature() {
        float[] logits = gaussianLogits(1000, 1, 5);
        int best = ReferenceSampling.ranked(logits).get(0);
        Sampler sampler = new Sampler(seeded(1).temperature(2).noTruncation().minP(1).build(), logits.length);
        for (int i = 0; i < 100; i++) {
            assertEquals(best, sampler.sample(logits, null));
        }
    }

    // ---- temperature and distribution ----

    @Test
    void frequenciesMatchTheSoftmaxAtTheTemperature() {
        float[] logits = {2f, 1f, 0.5f, 0f, -1f, -3f};
        int draws = 40_000;
        for (float temperature : new float[] {0.5f, 1f, 1.7f}) {
            for (SamplingParams params : List.of(
                    seeded(17).temperature(temperature).noTruncation().build(),
                    seeded(18).temperature(temperature).noTruncation().topK(4).build())) {
                Map<Integer, Double> expected = ReferenceSampling.keptDistribution(logits, params);
                int[] counts = counts(new Sampler(params, logits.length), logits, draws);
                for (int id = 0; id < logits.length; id++) {
                    double p = expected.getOrDefault(id, 0.0);
                    double observed = counts[id] / (double) draws;
                    double bound = 5 * Math.sqrt(p * (1 - p) / draws) + 1e-9;
                    assertEquals(p, observed, bound, "token " + id + " for " + params);
                }
            }
        }
    }

    @Test
    void largeVocabularyFrequenciesMatchTheSoftmaxWithoutTruncation() {
        // Most mass on a few tokens, the rest spread over the vocabulary, so the block-skipping
        // draw is exercised both inside and across blocks.
        float[] logits = gaussianLogits(LLAMA3_VOCAB, 1, 31);
        int[] heavy = {5, 70_000, 128_255};
        for (int id : heavy) {
            logits[id] = 12f;
        }
        SamplingParams params = seeded(2).temperature(0.9f).noTruncation().build();
        Map<Integer, Double> expected = ReferenceSampling.keptDistribution(logits, params);
        int draws = 2000;
        int[] counts = counts(new Sampler(params, logits.length), logits, draws);
        double restExpected = 1;
        int restObserved = draws;
        for (int id : heavy) {
            double p = expected.get(id);
            assertEquals(p, counts[id] / (double) draws, 5 * Math.sqrt(p * (1 - p) / draws), "token " + id);
            restExpected -= p;
            restObserved -= counts[id];
        }
        assertEquals(restExpected, restObserved / (double) draws, 5 * Math.sqrt(restExpected * (1 - restExpected) / draws));
    }

    @Test
    void negativeInfinityTokensAreNeverDrawn() {
        float[] logits = new float[300];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = i % 3 == 0 ? 0f : Float.NEGATIVE_INFINITY;
        }
        for (SamplingParams params : List.of(
                seeded(1).temperature(2).noTruncation().build(),
                seeded(2).temperature(2).noTruncation().topP(0.999f).build(),
                seeded(3).temperature(2).noTruncation().minP(0.01f).build())) {
            int[] counts = counts(new Sampler(params, logits.length), logits, 3000);
            for (int i = 0; i < logits.length; i++) {
                if (i % 3 != 0) {
                    assertEquals(0, counts[i], "masked token " + i + " drawn with " + params);
                }
            }
        }
    }

    // ---- reproducibility ----

    private static List<Integer> generate(SamplingParams params, int vocab, int steps) {
        Sampler sampler = new Sampler(params, vocab);
        TokenHistory history = sampler.newHistory();
        Random logitSource = new Random(99);
        float[] logits = new float[vocab];
        List<Integer> tokens = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < vocab; i++) {
                logits[i] = (float) (logitSource.nextGaussian() * 2);
            }
            int token = sampler.sample(logits, history);
            history.add(token);
            tokens.add(token);
        }
        return tokens;
    }

    @Test
    void theSameSeedGivesTheSameTokensAndOtherSeedsDiffer() {
        SamplingParams params = seeded(1234).temperature(1.2f).topK(0).topP(0.95f).minP(0).repetitionPenalty(1.1f).build();
        List<Integer> first = generate(params, 2000, 200);
        assertEquals(first, generate(params, 2000, 200));
        assertNotEquals(first, generate(params.toBuilder().seed(1235L).build(), 2000, 200));
    }

    @Test
    void aRandomSeedIsReportedAndReplaysTheSameTokens() {
        SamplingParams unseeded = SamplingParams.builder().seed(null).temperature(1.5f).noTruncation().build();
        float[] logits = gaussianLogits(500, 1, 4);
        Sampler original = new Sampler(unseeded, 500);
        Sampler replay = new Sampler(unseeded.toBuilder().seed(original.seed()).build(), 500);
        List<Integer> a = new ArrayList<>();
        List<Integer> b = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            a.add(original.sample(logits, null));
            b.add(replay.sample(logits, null));
        }
        assertEquals(a, b);
        assertTrue(new HashSet<>(a).size() > 20, "a flat distribution should give varied tokens");
    }

    // ---- penalties and bias, observed through logprobs ----

    private static Map<Integer, Float> allLogprobs(SamplingParams params, float[] logits, TokenHistory history) {
        Sampler sampler = new Sampler(params.toBuilder().logprobs(true).topLogprobs(logits.length).build(), logits.length);
        sampler.sample(logits, history);
        Map<Integer, Float> byId = new HashMap<>();
        for (int r = 0; r < sampler.topLogprobCount(); r++) {
            byId.put(sampler.topLogprobId(r), sampler.topLogprob(r));
        }
        return byId;
    }

    private static TokenHistory history(int vocab, int window, int... tokens) {
        TokenHistory history = new TokenHistory(vocab, window);
        history.addAll(tokens);
        return history;
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokens() {
        float[] logits = {2f, -1f, 1f, 0.5f};
        SamplingParams params = seeded(1).repetitionPenalty(2f).build();
        Map<Integer, Float> lp = allLogprobs(params, logits, history(4, 64, 0, 1, 1));
        // Adjusted logits: 2/2 = 1, -1*2 = -2, 1 and 0.5 untouched.
        assertEquals(0.0, lp.get(0) - lp.get(2), 1e-5);
        assertEquals(-2.5, lp.get(1) - lp.get(3), 1e-5);
        assertEquals(0.5, lp.get(2) - lp.get(3), 1e-5);
    }

    @Test
    void presenceAndFrequencyPenaltiesSubtractOncePlusPerOccurrence() {
        float[] logits = {2f, -1f, 1f, 0.5f};
        SamplingParams params = seeded(1).presencePenalty(0.5f).frequencyPenalty(0.25f).build();
        Map<Integer, Float> lp = allLogprobs(params, logits, history(4, 64, 0, 0, 0, 1));
        // token 0: 2 - (3*0.25 + 0.5) = 0.75; token 1: -1 - (0.25 + 0.5) = -1.75.
        assertEquals(0.75 - 1, lp.get(0) - lp.get(2), 1e-5);
        assertEquals(-1.75 - 1, lp.get(1) - lp.get(2), 1e-5);
        assertEquals(0.5 - 1, lp.get(3) - lp.get(2), 1e-5);
    }

    @Test
    void penaltiesOnlySeeTheLastNTokensOrTheWholeHistory() {
        float[] logits = {1f, 1f, 1f, 1f};
        SamplingParams lastTwo = seeded(1).presencePenalty(1f).penaltyLastN(2).build();
        Map<Integer, Float> lp = allLogprobs(lastTwo, logits, history(4, 2, 0, 1, 2));
        assertEquals(0.0, lp.get(0) - lp.get(3), 1e-5, "token 0 has left the window");
        assertEquals(-1.0, lp.get(1) - lp.get(3), 1e-5);
        assertEquals(-1.0, lp.get(2) - lp.get(3), 1e-5);

        int[] longHistory = new int[101];
        longHistory[100] = 1; // token 0 a hundred times, then token 1 once
        SamplingParams whole = seeded(1).frequencyPenalty(0.01f).penaltyLastN(-1).build();
        Map<Integer, Float> lpWhole = allLogprobs(whole, logits, history(4, -1, longHistory));
        assertEquals(-1.0, lpWhole.get(0) - lpWhole.get(3), 1e-4);
        assertEquals(-0.01, lpWhole.get(1) - lpWhole.get(3), 1e-5);
    }

    @Test
    void aZeroPenaltyWindowTurnsPenaltiesOff() {
        float[] logits = {1f, 0.9f};
        SamplingParams params = SamplingParams.greedy().toBuilder().repetitionPenalty(1.5f).penaltyLastN(0).build();
        Sampler sampler = new Sampler(params, 2);
        assertEquals(0, sampler.sample(logits, sampler.newHistory()));
    }

    @Test
    void repetitionPenaltyFlipsAGreedyChoice() {
        float[] logits = {1f, 0.9f};
        SamplingParams params = SamplingParams.greedy().toBuilder().repetitionPenalty(1.5f).build();
        Sampler sampler = new Sampler(params, 2);
        TokenHistory history = sampler.newHistory();
        assertEquals(0, sampler.sample(logits, history));
        history.add(0);
        assertEquals(1, sampler.sample(logits, history), "1/1.5 = 0.67 < 0.9");
    }

    @Test
    void penaltiesRejectAHistoryWithAnotherWindow() {
        Sampler sampler = new Sampler(seeded(1).repetitionPenalty(1.2f).penaltyLastN(64).build(), 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(new float[10], new TokenHistory(10, 32)));
        assertTrue(e.getMessage().contains("penalty_last_n"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(new float[10], null));
    }

    @Test
    void logitBiasOfMinus100BansAndPlus100Forces() {
        float[] logits = new float[50];
        logits[0] = 10f;
        Sampler banned = new Sampler(seeded(1).temperature(1).noTruncation().logitBias(Map.of(0, -100f)).build(), 50);
        assertEquals(0, counts(banned, logits, 2000)[0]);

        float[] varied = gaussianLogits(LLAMA3_VOCAB, 3, 8);
        Sampler forced = new Sampler(seeded(2).temperature(2).logitBias(Map.of(37, 100f)).build(), LLAMA3_VOCAB);
        for (int i = 0; i < 200; i++) {
            assertEquals(37, forced.sample(varied, null));
        }
    }

    @Test
    void logitBiasIsAddedToTheLogit() {
        float[] logits = {0.2f, -0.4f, 1f};
        Map<Integer, Float> lp = allLogprobs(seeded(1).logitBias(Map.of(1, 1.5f)).build(), logits, null);
        assertEquals(-0.4 + 1.5 - 0.2, lp.get(1) - lp.get(0), 1e-5);
        assertEquals(0.8, lp.get(2) - lp.get(0), 1e-5);
    }

    @Test
    void theCallersLogitsAreNotModified() {
        float[] logits = gaussianLogits(1000, 2, 3);
        float[] copy = logits.clone();
        Sampler sampler = new Sampler(seeded(1).logitBias(Map.of(4, 50f)).repetitionPenalty(1.3f)
                .presencePenalty(1f).logprobs(true).topLogprobs(5).build(), 1000);
        TokenHistory history = sampler.newHistory();
        history.addAll(new int[] {1, 2, 3, 4, 5});
        sampler.sample(logits, history);
        assertArrayEquals(copy, logits);
    }

    // ---- logprobs ----

    @Test
    void logprobsCoverTheDistributionInDescendingOrder() {
        float[] logits = gaussianLogits(20, 2, 6);
        Sampler sampler = new Sampler(seeded(1).temperature(1).logprobs(true).topLogprobs(20).build(), 20);
        int token = sampler.sample(logits, null);
        assertEquals(20, sampler.topLogprobCount());
        double total = 0;
        Set<Integer> ids = new HashSet<>();
        for (int r = 0; r < 20; r++) {
            total += Math.exp(sampler.topLogprob(r));
            ids.add(sampler.topLogprobId(r));
            if (r > 0) {
                assertTrue(sampler.topLogprob(r - 1) >= sampler.topLogprob(r), "descending at rank " + r);
            }
            if (sampler.topLogprobId(r) == token) {
                assertEquals(sampler.topLogprob(r), sampler.chosenLogprob());
            }
        }
        assertEquals(1.0, total, 1e-5);
        assertEquals(20, ids.size());

        TopLogprobs out = new TopLogprobs(5);
        sampler.readLogprobs(out);
        assertEquals(5, out.count());
        assertEquals(token, out.chosenToken());
        assertEquals(sampler.chosenLogprob(), out.chosenLogprob());
        for (int r = 0; r < 5; r++) {
            assertEquals(sampler.topLogprobId(r), out.id(r));
            assertEquals(sampler.topLogprob(r), out.logprob(r));
        }
    }

    @Test
    void logprobsMatchAReferenceLogSoftmaxOnALargeVocabulary() {
        float[] logits = gaussianLogits(LLAMA3_VOCAB, 3, 12);
        double[] reference = ReferenceSampling.logSoftmax(logits);
        List<Integer> ranked = ReferenceSampling.ranked(logits);
        Sampler sampler = new Sampler(seeded(1).logprobs(true).topLogprobs(5).build(), LLAMA3_VOCAB);
        int token = sampler.sample(logits, null);
        assertEquals(reference[token], sampler.chosenLogprob(), 1e-4);
        for (int r = 0; r < 5; r++) {
            assertEquals(ranked.get(r), sampler.topLogprobId(r));
            assertEquals(reference[ranked.get(r)], sampler.topLogprob(r), 1e-4);
        }
    }

    @Test
    void logprobsIgnoreTemperatureAndTruncation() {
        float[] logits = gaussianLogits(500, 2, 13);
        Sampler cold = new Sampler(seeded(1).temperature(0.3f).topK(2).logprobs(true).topLogprobs(10).build(), 500);
        Sampler hot = new Sampler(seeded(1).temperature(1.9f).noTruncation().logprobs(true).topLogprobs(10).build(), 500);
        cold.sample(logits, null);
        hot.sample(logits, null);
        for (int r = 0; r < 10; r++) {
            assertEquals(cold.topLogprobId(r), hot.topLogprobId(r));
            assertEquals(cold.topLogprob(r), hot.topLogprob(r));
        }
    }

    @Test
    void logprobsAreCappedByTheVocabularyAndUnavailableUnlessRequested() {
        Sampler small = new Sampler(seeded(1).logprobs(true).topLogprobs(5).build(), 3);
        small.sample(new float[] {0f, 1f, 2f}, null);
        assertEquals(3, small.topLogprobCount());
        assertEquals(2, small.topLogprobId(0));

        Sampler without = new Sampler(seeded(1).build(), 3);
        without.sample(new float[] {0f, 1f, 2f}, null);
        assertThrows(IllegalStateException.class, without::chosenLogprob);
    }

    // ---- bad input ----

    @Test
    void nanAndInfiniteLogitsAreRejected() {
        Sampler sampler = new Sampler(seeded(1).build(), 4);
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(new float[] {0f, Float.NaN, 1f, 2f}, null));
        assertTrue(nan.getMessage().contains("token 1"), nan.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(new float[] {0f, 1f, Float.POSITIVE_INFINITY, 2f}, null));
        float ninf = Float.NEGATIVE_INFINITY;
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(new float[] {ninf, ninf, ninf, ninf}, null));
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(new float[3], null));
    }

    // ---- allocation ----

    @Test
    void sampleAllocatesNothingOnceWarm() {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        if (!(bean instanceof com.sun.management.ThreadMXBean threads) || !threads.isThreadAllocatedMemorySupported()) {
            org.junit.jupiter.api.Assumptions.abort("allocation counting is not available on this JVM");
            return;
        }
        int vocab = 32_000;
        float[] peaked = gaussianLogits(vocab, 2.5, 1);
        float[] flat = gaussianLogits(vocab, 0.5, 2);
        List<SamplingParams> configs = List.of(
                seeded(1).repetitionPenalty(1.1f).presencePenalty(0.2f).frequencyPenalty(0.1f)
                        .logitBias(Map.of(3, 2f)).logprobs(true).topLogprobs(5).build(),
                seeded(2).temperature(1).noTruncation().topP(0.95f).build(),
                seeded(3).temperature(0.7f).noTruncation().build(),
                seeded(4).temperature(1).noTruncation().minP(0.05f).build(),
                SamplingParams.greedy());
        for (SamplingParams params : configs) {
            Sampler sampler = new Sampler(params, vocab);
            TokenHistory history = sampler.newHistory();
            history.addAll(new int[] {1, 2, 3, 3, 4, 5, 6});
            for (int i = 0; i < 300; i++) {
                sampler.sample(i % 2 == 0 ? peaked : flat, history);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 300; i++) {
                sampler.sample(i % 2 == 0 ? peaked : flat, history);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 1024, allocated + " bytes allocated in 300 calls with " + params);
        }
    }
}
