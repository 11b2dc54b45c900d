package dev.quill.sampling;

import dev.quill.tensor.FastExp;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks the next token of one sequence from the model's logits. Create one per generated sequence;
 * it preallocates its buffers, and {@link #sample} allocates nothing. Not thread-safe.
 *
 * <h2>Order of operations</h2>
 * As in llama.cpp's default chain:
 * <ol>
 *   <li>logit bias is added;</li>
 *   <li>penalties over the last {@code penaltyLastN} tokens of the {@link TokenHistory}: the
 *       repetition penalty divides a positive logit and multiplies a negative one, then
 *       {@code count * frequencyPenalty + presencePenalty} is subtracted;</li>
 *   <li>temperature 0 returns the most likely token now (ties go to the lowest id);</li>
 *   <li>top-k, then top-p, then min-p truncate the candidates. Each works on the probabilities at
 *       temperature 1 of the candidates the previous step left (top-p after top-k renormalises
 *       over the top k; min-p's ratio to the best token is unaffected by renormalising);</li>
 *   <li>the remaining logits are divided by the temperature, turned into probabilities and one
 *       token is drawn.</li>
 * </ol>
 * So, as in llama.cpp and unlike Hugging Face transformers, temperature does not change which tokens
 * top-p or min-p keep, only how likely each kept one is.
 *
 * <h2>Cost on a large vocabulary</h2>
 * Every path is a few linear passes; nothing sorts the vocabulary. Top-k selects with a bounded
 * heap and sorts only the k kept. Top-p without top-k first tries the best 256 tokens; when they do
 * not cover the nucleus (nor reach the min-p cut), tokens are bucketed by logit (buckets 1/64 wide)
 * and only the bucket where the nucleus ends is sorted, which is small unless thousands of tokens
 * have logits within 1/64 of each other (equal logits are detected and need no sort). Min-p alone
 * needs no sorting. Exponentials use {@link FastExp}, which vectorises, and the draw skips over
 * blocks of 256 tokens by their sums. On a 128,256-token vocabulary a call costs roughly
 * 0.05–0.4 ms (greedy to top-p with logprobs); a top-p nucleus of tens of thousands of tokens
 * about 1.5 ms.
 *
 * <h2>Log-probabilities</h2>
 * When {@link SamplingParams#logprobs()} is set, each call also records the chosen token's
 * log-probability and the {@link SamplingParams#topLogprobs()} most likely tokens with theirs. They
 * are the log-softmax of the logits after bias and penalties, but before temperature and
 * truncation: they describe the model's (bias- and penalty-adjusted) distribution, are finite for
 * every token the sampler could pick, and do not depend on how it happened to truncate (so a
 * client can compare them across temperatures). Read them with
 * {@link #readLogprobs(TopLogprobs)} or the per-rank accessors.
 *
 * <h2>Reproducibility</h2>
 * A given seed, params, history and logits produce the same token on every run, JVM and CPU: the
 * generator is a xoshiro256** owned by this class, each non-greedy call draws exactly one number
 * from it, and all arithmetic that decides the token is Java float/double arithmetic, which is
 * specified bit for bit ({@link FastExp} instead of {@code Math.exp}, whose result may vary).
 */
public final class Sampler {
    private static final int FIRST_NUCLEUS_GUESS = 256;
    /** Nucleus buckets are 1/64 of a logit wide and cover 64 logits below the maximum. */
    private static final int NUCLEUS_BUCKETS_PER_UNIT = 64;
    private static final int NUCLEUS_BUCKETS = 64 * NUCLEUS_BUCKETS_PER_UNIT;
    private static final int DRAW_BLOCK = 256;

    private final SamplingParams params;
    private final int vocabSize;
    private final long seed;
    private final Xoshiro256 random;

    private final int[] biasTokens;
    private final float[] biasValues;
    private final boolean penaltiesEnabled;
    private final boolean topKEnabled;
    private final boolean topPEnabled;
    private final boolean minPEnabled;
    private final double logMinP;
    private final boolean greedy;
    private final float inverseTemperature;

    /** Logits after bias and penalties; the caller's array stays untouched. */
    private final float[] adjusted;
    /** Unnormalised probabilities, per token id or per candidate position depending on the path. */
    private final float[] weights;
    /** Sums of consecutive blocks of {@link #weights}, so that a draw skips whole blocks. */
    private final double[] blockSums;
    private final double[] bucketMass = new double[NUCLEUS_BUCKETS];
    /** Candidates, packed by {@link #rankKey} or as bare token ids when order does not matter. */
    private final long[] candidates;
    private final long[] logprobSelection;
    private final int[] topLogprobIds;
    private final float[] topLogprobValues;
    private int topLogprobCount;
    private int lastToken = -1;
    private float lastLogprob = Float.NaN;

    // State of the current call.
    private float maxLogit;
    private int maxToken;
    private double sumExp;
    private boolean sumExpKnown;

    /**
     * @throws InvalidSamplingParameterException when {@code params} fail {@link SamplingParams#validate}
     */
    public Sampler(SamplingParams params, int vocabSize) {
        params.validate(vocabSize);
        this.params = params;
        this.vocabSize = vocabSize;
        this.seed = params.seed() != null ? params.seed() : ThreadLocalRandom.current().nextLong();
        this.random = new Xoshiro256(seed);

        Map<Integer, Float> bias = params.logitBias();
        biasTokens = new int[bias.size()];
        biasValues = new float[bias.size()];
        int b = 0;
        for (Map.Entry<Integer, Float> e : bias.entrySet()) {
            biasTokens[b] = e.getKey();
            biasValues[b] = e.getValue();
            b++;
        }
        penaltiesEnabled = params.penaltiesEnabled();
        topKEnabled = params.topK() > 0 && params.topK() < vocabSize;
        topPEnabled = params.topP() < 1f;
        minPEnabled = params.minP() > 0f;
        logMinP = StrictMath.log(params.minP());
        inverseTemperature = 1f / params.temperature();
        // A temperature so small that 1/T overflows is greedy in the limit, and would give NaN.
        greedy = params.temperature() == 0f || Float.isInfinite(inverseTemperature);

        adjusted = new float[vocabSize];
        weights = new float[vocabSize];
        blockSums = new double[(vocabSize + DRAW_BLOCK - 1) / DRAW_BLOCK];
        candidates = new long[topKEnabled ? params.topK() : vocabSize];
        int topN = params.logprobs() ? params.topLogprobs() : 0;
        logprobSelection = new long[topN];
        topLogprobIds = new int[topN];
        topLogprobValues = new float[topN];
    }

    public SamplingParams params() {
        return params;
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** The seed in use: the requested one, or the random one chosen when none was given. */
    public long seed() {
        return seed;
    }

    /** A history whose counting window matches this sampler's {@code penaltyLastN}. */
    public TokenHistory newHistory() {
        return new TokenHistory(vocabSize, params.penaltyLastN());
    }

    /**
     * Chooses the next token. The caller appends it to {@code history} itself (after the prompt's
     * tokens), since a history may also be fed tokens that were not sampled.
     *
     * @param logits  the model's scores; at least {@link #vocabSize()} long, only those are read,
     *                never modified
     * @param history the sequence so far, with window {@code penaltyLastN}; may be null when the
     *                penalties are off
     * @throws IllegalArgumentException when a logit is NaN or +infinity, every logit is -infinity,
     *                                  or the history does not fit the penalties
     */
    public int sample(float[] logits, TokenHistory history) {
        if (logits.length < vocabSize) {
            throw new IllegalArgumentException("logits has " + logits.length + " entries, the vocabulary " + vocabSize);
        }
        System.arraycopy(logits, 0, adjusted, 0, vocabSize);
        for (int i = 0; i < biasTokens.length; i++) {
            adjusted[biasTokens[i]] += biasValues[i];
        }
        if (penaltiesEnabled) {
            applyPenalties(history);
        }
        findMax();
        sumExpKnown = false;

        int token = greedy ? maxToken : draw();
        lastToken = token;
        if (params.logprobs()) {
            recordLogprobs(token);
        }
        return token;
    }

    private void applyPenalties(TokenHistory history) {
        if (history == null) {
            throw new IllegalArgumentException("penalties are enabled but no token history was given");
        }
        if (history.window() != params.penaltyLastN()) {
            throw new IllegalArgumentException("history counts the last " + history.window()
                    + " tokens but penalty_last_n is " + params.penaltyLastN() + "; use Sampler.newHistory()");
        }
        if (history.vocabSize() > vocabSize) {
            throw new IllegalArgumentException("history vocabulary " + history.vocabSize() + " exceeds " + vocabSize);
        }
        float repetition = params.repetitionPenalty();
        float presence = params.presencePenalty();
        float frequency = params.frequencyPenalty();
        int distinct = history.distinctCount();
        for (int i = 0; i < distinct; i++) {
            int token = history.distinctToken(i);
            int count = history.count(token);
            float logit = adjusted[token];
            if (repetition != 1f) {
                logit = logit <= 0f ? logit * repetition : logit / repetition;
            }
            adjusted[token] = logit - (count * frequency + presence);
        }
    }

    private void findMax() {
        float max = Float.NEGATIVE_INFINITY;
        int arg = -1;
        for (int i = 0; i < vocabSize; i++) {
            float logit = adjusted[i];
            // One rarely taken branch for both a new maximum and NaN, which fails every comparison.
            // Strictly greater keeps the lowest id among equal maxima.
            if (!(logit <= max)) {
                if (Float.isNaN(logit)) {
                    throw new IllegalArgumentException("logit of token " + i + " is NaN");
                }
                max = logit;
                arg = i;
            }
        }
        if (arg < 0) {
            throw new IllegalArgumentException("every logit is -infinity");
        }
        if (max == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("logit of token " + arg + " is +infinity");
        }
        maxLogit = max;
        maxToken = arg;
    }

    /** Σ exp(logit - max) over the vocabulary, computed at most once per call. */
    private double sumExp() {
        if (!sumExpKnown) {
            sumExp = fillVocabularyWeights(1f);
            sumExpKnown = true;
        }
        return sumExp;
    }

    /** Sets weights[id] = exp((logit - max) * inverseTemperature) for every token; returns the sum. */
    private double fillVocabularyWeights(float inverseTemperature) {
        float max = maxLogit;
        for (int i = 0; i < vocabSize; i++) {
            weights[i] = FastExp.expNonPositive((adjusted[i] - max) * inverseTemperature);
        }
        return sumWeightsInBlocks(vocabSize);
    }

    /**
     * Sums weights[0, n) in blocks, keeping each block's sum, so that a draw can skip whole blocks.
     * Four accumulators per block break the dependency chain of one running sum.
     */
    private double sumWeightsInBlocks(int n) {
        double total = 0;
        for (int block = 0, from = 0; from < n; block++, from += DRAW_BLOCK) {
            int to = Math.min(n, from + DRAW_BLOCK);
            double a0 = 0;
            double a1 = 0;
            double a2 = 0;
            double a3 = 0;
            int i = from;
            for (; i + 3 < to; i += 4) {
                a0 += weights[i];
                a1 += weights[i + 1];
                a2 += weights[i + 2];
                a3 += weights[i + 3];
            }
            for (; i < to; i++) {
                a0 += weights[i];
            }
            double sum = (a0 + a1) + (a2 + a3);
            blockSums[block] = sum;
            total += sum;
        }
        return total;
    }

    /** Draws a position in [0, n) with probability weights[i] / total, using the block sums. */
    private int drawPosition(int n, double total) {
        double target = random.nextDouble() * total;
        int blocks = (n + DRAW_BLOCK - 1) / DRAW_BLOCK;
        double before = 0;
        int block = 0;
        int lastNonEmpty = -1;
        for (; block < blocks; block++) {
            double sum = blockSums[block];
            if (sum > 0) {
                lastNonEmpty = block;
                if (before + sum > target) {
                    break;
                }
                before += sum;
            }
        }
        if (block == blocks) {
            // Rounding put the target at the very top: take the last token that has any weight.
            block = lastNonEmpty;
            before = Double.NEGATIVE_INFINITY;
        }
        int from = block * DRAW_BLOCK;
        int to = Math.min(n, from + DRAW_BLOCK);
        double cumulative = before;
        int lastPositive = from;
        for (int i = from; i < to; i++) {
            float w = weights[i];
            if (w > 0f) {
                lastPositive = i;
                cumulative += w;
                if (cumulative > target) {
                    return i;
                }
            }
        }
        // The block sum was added in a different order; rounding can leave the target just above.
        return lastPositive;
    }

    private int draw() {
        if (!topKEnabled && !topPEnabled) {
            return minPEnabled ? drawFromCandidates(collectAboveMinP()) : drawFromVocabulary();
        }
        int n;
        if (topKEnabled) {
            n = selectBest(adjusted, params.topK(), candidates);
            double mass = 0;
            for (int i = 0; i < n; i++) {
                mass += FastExp.expNonPositive(adjusted[(int) candidates[i]] - maxLogit);
            }
            n = cutSortedPrefix(n, mass, true);
        } else {
            // Top-p normalises over the whole vocabulary; the weights by id also serve the buckets.
            double mass = fillVocabularyWeights(1f);
            sumExp = mass;
            sumExpKnown = true;
            int selected = selectBest(adjusted, FIRST_NUCLEUS_GUESS, candidates);
            n = cutSortedPrefix(selected, mass, selected == vocabSize);
            if (n == 0) {
                return drawFromLargeNucleus(mass);
            }
        }
        return drawFromCandidates(n);
    }

    /**
     * Applies top-p and min-p to the best-first candidates [0, n): both keep a prefix, so the result
     * is the shorter one. {@code mass} is the sum of exp(logit - max) over the set top-p normalises
     * by. Returns 0 when the candidates run out before either cut is decided and more exist beyond
     * them ({@code complete} false).
     */
    private int cutSortedPrefix(int n, double mass, boolean complete) {
        double nucleusMass = params.topP() * mass;
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            float relative = adjusted[(int) candidates[i]] - maxLogit;
            // The first candidate is the maximum, so min-p never empties the set.
            if (minPEnabled && relative < logMinP) {
                return i;
            }
            if (topPEnabled) {
                cumulative += FastExp.expNonPositive(relative);
                if (cumulative >= nucleusMass) {
                    return i + 1;
                }
            }
        }
        return complete ? n : 0;
    }

    /**
     * Top-p (then min-p) over the whole vocabulary when the nucleus is larger than the first guess,
     * in linear time. Tokens are bucketed by how far their logit is below the maximum; buckets
     * nearer the maximum hold only better tokens, so the nucleus is every bucket before the one
     * where the cumulative mass reaches top-p, plus a prefix of that bucket, which alone is sorted.
     * The nucleus is then "rank key at most the last kept one's", so the draw runs over the whole
     * vocabulary with the other tokens' weights set to zero instead of gathering the nucleus.
     * Needs {@link #weights} to hold exp(logit - max) by token id; returns the drawn token.
     */
    private int drawFromLargeNucleus(double mass) {
        Arrays.fill(bucketMass, 0);
        float max = maxLogit;
        for (int i = 0; i < vocabSize; i++) {
            bucketMass[nucleusBucket(max - adjusted[i])] += weights[i];
        }
        double nucleusMass = params.topP() * mass;
        double massBefore = 0;
        int boundary = 0;
        while (boundary < NUCLEUS_BUCKETS - 1 && massBefore + bucketMass[boundary] < nucleusMass) {
            massBefore += bucketMass[boundary];
            boundary++;
        }
        int atBoundary = 0;
        for (int i = 0; i < vocabSize; i++) {
            if (nucleusBucket(max - adjusted[i]) == boundary) {
                candidates[atBoundary++] = rankKey(adjusted[i], i);
            }
        }
        // Collected in id order, a bucket of equal logits is already sorted: skip the n log n.
        if (!isAscending(candidates, 0, atBoundary)) {
            heapSort(candidates, 0, atBoundary);
        }
        // Rounding can leave the mass just short of top-p at the very end: then keep everything.
        int lastKept = atBoundary - 1;
        double cumulative = massBefore;
        for (int j = 0; j < atBoundary; j++) {
            cumulative += weights[(int) candidates[j]];
            if (cumulative >= nucleusMass) {
                lastKept = j;
                break;
            }
        }

        if (inverseTemperature != 1f) {
            for (int i = 0; i < vocabSize; i++) {
                weights[i] = FastExp.expNonPositive((adjusted[i] - max) * inverseTemperature);
            }
        }
        if (lastKept >= 0) {
            float lastKeptLogit = adjusted[(int) candidates[lastKept]];
            for (int i = 0; i < vocabSize; i++) {
                // A conditional value rather than a branch: a worse token is unpredictable here.
                weights[i] = adjusted[i] < lastKeptLogit ? 0f : weights[i];
            }
            boolean tieCutAtBoundary = lastKept + 1 < atBoundary
                    && adjusted[(int) candidates[lastKept + 1]] == lastKeptLogit;
            if (tieCutAtBoundary) {
                // Tokens tied with the last kept one are ordered by id; drop those after it.
                for (int j = lastKept + 1; j < atBoundary; j++) {
                    int id = (int) candidates[j];
                    if (adjusted[id] != lastKeptLogit) {
                        break;
                    }
                    weights[id] = 0f;
                }
            }
        }
        if (minPEnabled) {
            for (int i = 0; i < vocabSize; i++) {
                if (adjusted[i] - max < logMinP) {
                    weights[i] = 0f;
                }
            }
        }
        return drawPosition(vocabSize, sumWeightsInBlocks(vocabSize));
    }

    private static int nucleusBucket(float belowMax) {
        // -infinity logits give +infinity here, which Math.min maps to the last bucket.
        return (int) Math.min(belowMax * NUCLEUS_BUCKETS_PER_UNIT, NUCLEUS_BUCKETS - 1);
    }

    /** Token ids whose probability is at least minP times the best one, in id order. */
    private int collectAboveMinP() {
        float max = maxLogit;
        int n = 0;
        for (int i = 0; i < vocabSize; i++) {
            if (adjusted[i] - max >= logMinP) {
                candidates[n++] = i;
            }
        }
        return n;
    }

    private int drawFromVocabulary() {
        double total = fillVocabularyWeights(inverseTemperature);
        if (inverseTemperature == 1f) {
            sumExp = total;
            sumExpKnown = true;
        }
        return drawPosition(vocabSize, total);
    }

    /** Draws among candidates [0, n), each a token id in the low 32 bits. */
    private int drawFromCandidates(int n) {
        float max = maxLogit;
        float invT = inverseTemperature;
        for (int i = 0; i < n; i++) {
            weights[i] = FastExp.expNonPositive((adjusted[(int) candidates[i]] - max) * invT);
        }
        return (int) candidates[drawPosition(n, sumWeightsInBlocks(n))];
    }

    private void recordLogprobs(int token) {
        double logNormaliser = maxLogit + Math.log(sumExp());
        lastLogprob = (float) (adjusted[token] - logNormaliser);
        int n = selectBest(adjusted, logprobSelection.length, logprobSelection);
        for (int r = 0; r < n; r++) {
            int id = (int) logprobSelection[r];
            topLogprobIds[r] = id;
            topLogprobValues[r] = (float) (adjusted[id] - logNormaliser);
        }
        topLogprobCount = n;
    }

    /**
     * Orders tokens best first: higher logit, then lower id. Smaller key = better token; the low 32
     * bits hold the id. Adding 0f turns -0f into 0f so that the key agrees with float comparison.
     */
    static long rankKey(float logit, int id) {
        int bits = Float.floatToRawIntBits(logit + 0f);
        int ascending = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) ~ascending << 32) | id;
    }

    /**
     * Puts the best min(k, vocabSize) tokens of {@code values} into {@code out}, best first, using
     * {@code out} as a bounded max-heap of rank keys (root = worst kept) and then heap-sorting it.
     */
    private int selectBest(float[] values, int k, long[] out) {
        int limit = Math.min(k, vocabSize);
        if (limit == 0) {
            return 0;
        }
        for (int id = 0; id < limit; id++) {
            out[id] = rankKey(values[id], id);
            siftUp(out, id);
        }
        float worstKept = values[(int) out[0]];
        for (int id = limit; id < vocabSize; id++) {
            float logit = values[id];
            // Ids arrive in increasing order, so an equal logit would lose the tie: only a
            // strictly larger one gets in.
            if (logit > worstKept) {
                out[0] = rankKey(logit, id);
                siftDown(out, 0, 0, limit);
                worstKept = values[(int) out[0]];
            }
        }
        sortHeap(out, 0, limit);
        return limit;
    }

    private static void siftUp(long[] heap, int index) {
        long item = heap[index];
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            if (heap[parent] >= item) {
                break;
            }
            heap[index] = heap[parent];
            index = parent;
        }
        heap[index] = item;
    }

    /** Restores the max-heap a[base, base + size) below {@code index} (relative to base). */
    private static void siftDown(long[] a, int base, int index, int size) {
        long item = a[base + index];
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && a[base + right] > a[base + child]) {
                child = right;
            }
            if (item >= a[base + child]) {
                break;
            }
            a[base + index] = a[base + child];
            index = child;
        }
        a[base + index] = item;
    }

    private static boolean isAscending(long[] a, int from, int to) {
        for (int i = from + 1; i < to; i++) {
            if (a[i - 1] > a[i]) {
                return false;
            }
        }
        return true;
    }

    /** Sorts a[from, to) ascending in place (heap sort: no allocation, n log n worst case). */
    private static void heapSort(long[] a, int from, int to) {
        int size = to - from;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(a, from, i, size);
        }
        sortHeap(a, from, size);
    }

    /** Turns the max-heap a[from, from + size) into ascending order. */
    private static void sortHeap(long[] a, int from, int size) {
        for (int end = size - 1; end > 0; end--) {
            long root = a[from];
            a[from] = a[from + end];
            a[from + end] = root;
            siftDown(a, from, 0, end);
        }
    }

    /** The token chosen by the last {@link #sample} call, or -1 before the first. */
    public int lastToken() {
        return lastToken;
    }

    /** The chosen token's logprob from the last call (see the class comment for its meaning). */
    public float chosenLogprob() {
        checkLogprobsAvailable();
        return lastLogprob;
    }

    /** How many top alternatives the last call recorded: min(topLogprobs, vocabSize). */
    public int topLogprobCount() {
        checkLogprobsAvailable();
        return topLogprobCount;
    }

    /** Token id of the alternative at {@code rank}, 0 being the most likely. */
    public int topLogprobId(int rank) {
        checkRank(rank);
        return topLogprobIds[rank];
    }

    public float topLogprob(int rank) {
        checkRank(rank);
        return topLogprobValues[rank];
    }

    /** Copies the last call's logprobs into {@code out} (up to its capacity), without allocating. */
    public void readLogprobs(TopLogprobs out) {
        checkLogprobsAvailable();
        out.set(lastToken, lastLogprob, topLogprobIds, topLogprobValues, topLogprobCount);
    }

    private void checkLogprobsAvailable() {
        if (!params.logprobs()) {
            throw new IllegalStateException("logprobs were not requested in the sampling params");
        }
        if (lastToken < 0) {
            throw new IllegalStateException("no token has been sampled yet");
        }
    }

    private void checkRank(int rank) {
        checkLogprobsAvailable();
        if (rank < 0 || rank >= topLogprobCount) {
            throw new IndexOutOfBoundsException("rank " + rank + " out of bounds for " + topLogprobCount + " alternatives");
        }
    }
}
