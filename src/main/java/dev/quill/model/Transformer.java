package dev.quill.model;

import dev.quill.tensor.ActivationFormat;
import dev.quill.tensor.CacheAlignment;
import dev.quill.tensor.FloatOps;
import dev.quill.tensor.MatrixProduct;
import dev.quill.tensor.ThreadPool;
import dev.quill.tensor.WeightMatrix;

/**
 * The forward pass shared by the supported architectures: RMSNorm, RoPE (normal or NEOX layout),
 * grouped-query attention over a {@link KvCache}, SwiGLU feed-forward, tied or untied output.
 *
 * <p>Prompts are processed in batches of up to {@code maxBatch} tokens so every weight row is read
 * once per batch. All scratch buffers are allocated here, once; {@link #forward} allocates nothing.
 * An instance is not thread-safe: one forward pass at a time.
 */
public final class Transformer {
    private final ModelConfig c;
    private final ModelWeights w;
    private final ThreadPool pool;
    private final int maxBatch;
    private final int maxContext;
    private final float attentionScale;
    private final float queryScale;

    private final float[] x;
    private final float[] xb;
    private final float[] xb2;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] qkv;
    private final float[] attentionOut;
    private final float[] gate;
    private final float[] up;
    private final float[] gateUp;
    private final float[] scores;
    /** Per KV head (each is attended by one thread at a time): lane vectors of sixteen scores. */
    private final float[][] scoreLanes;
    /** Per KV head: one page of its keys or values widened to floats (from {@link #SCRATCH_START}). */
    private final float[][] kvScratch;
    /** Where the scratch's floats start: on a cache line, so no vector load splits across two. */
    private static final int SCRATCH_START = CacheAlignment.FIRST_ALIGNED_FLOAT;
    private final float[] ropeCos;
    private final float[] ropeSin;
    private final float[] lastHidden;
    private final float[] prepared;
    /** The rows of the step under way: which sequence, at which position, which token. */
    private final KvCache[] rowCache;
    private final int[] rowPos;
    private final int[] rowToken;
    /** The pool's bodies, made once: a capturing lambda per call would allocate on every step. */
    private final MatrixProduct product = new MatrixProduct();
    private final ThreadPool.RangeBody attentionBody = this::attendKvHeads;
    /*
     * The per-row work between the products (norms, activation conversion, RoPE, SwiGLU) is split
     * across the pool by rows as well: done by one thread it was 7% of a 128-token prefill on 2
     * threads and, by Amdahl's law, most of what kept prefill from scaling to 16 threads. Each
     * row's arithmetic is unchanged, so results do not depend on the split.
     */
    private final ThreadPool.RangeBody normRows = this::normRows;
    private final ThreadPool.RangeBody convertRows = this::convertRows;
    private final ThreadPool.RangeBody positionRows = this::positionRows;
    private final ThreadPool.RangeBody swigluRows = this::swigluRows;
    /** Arguments of the loop under way, read by the bodies above and {@link #attendKvHeads}. */
    private int attentionLayer;
    private int attentionRows;
    private float[] normWeight;
    private ActivationFormat convertFormat;
    private float[] convertSource;
    private int convertCols;
    private LayerWeights positionLayer;

    public Transformer(ModelConfig config, ModelWeights weights, ThreadPool pool, int maxBatch, int maxContext) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        this.c = config;
        this.w = weights;
        this.pool = pool;
        this.maxBatch = maxBatch;
        this.maxContext = maxContext;
        float scale = 1f / (float) Math.sqrt(config.headDim());
        // Phi-3 scales Q by 1/sqrt(head_dim) before attention (llama.cpp's graph does the same), the
        // others scale the scores; where the scaling happens changes the F16 rounding of Q.
        this.queryScale = config.architecture().scalesQuery() ? scale : 1f;
        this.attentionScale = config.architecture().scalesQuery() ? 1f : scale;
        int dim = config.embeddingLength();
        int ffn = config.feedForwardLength();
        x = new float[maxBatch * dim];
        xb = new float[maxBatch * dim];
        xb2 = new float[maxBatch * dim];
        q = new float[maxBatch * config.qDim()];
        k = new float[maxBatch * config.kvDim()];
        v = new float[maxBatch * config.kvDim()];
        boolean fusedQkv = weights.layers()[0].fusedQkv();
        boolean fusedGateUp = weights.layers()[0].fusedGateUp();
        qkv = fusedQkv ? new float[maxBatch * (config.qDim() + 2 * config.kvDim())] : null;
        attentionOut = new float[maxBatch * config.qDim()];
        gate = new float[maxBatch * ffn];
        up = fusedGateUp ? null : new float[maxBatch * ffn];
        gateUp = fusedGateUp ? new float[maxBatch * 2 * ffn] : null;
        scores = new float[config.headCount() * maxContext];
        scoreLanes = new float[config.headCountKv()][256];
        kvScratch = new float[config.headCountKv()][SCRATCH_START + KvPagePool.PAGE_TOKENS * config.headDim()];
        ropeCos = new float[maxBatch * config.ropeDimensions() / 2];
        ropeSin = new float[maxBatch * config.ropeDimensions() / 2];
        lastHidden = new float[dim];
        int widest = Math.max(Math.max(dim, config.qDim()), ffn);
        prepared = new float[maxBatch * widest];
        rowCache = new KvCache[maxBatch];
        rowPos = new int[maxBatch];
        rowToken = new int[maxBatch];
    }

    public ModelConfig config() {
        return c;
    }

    public int maxBatch() {
        return maxBatch;
    }

    /**
     * Feeds {@code count} tokens to the sequence whose cache is given, appending them at its end.
     *
     * @param logits receives the logits of the last token ({@code vocab} floats), or of every
     *     token ({@code count × vocab}) when {@code allPositions}; may be null for none
     */
    public void forward(KvCache cache, int[] tokens, int from, int count, float[] logits, boolean allPositions) {
        int start = cache.length();
        if (count < 1) {
            throw new IllegalArgumentException("no tokens to process");
        }
        if (start + count > cache.contextLength()) {
            throw new ContextLengthExceededException(start + count, cache.contextLength());
        }
        int vocab = c.vocabSize();
        for (int done = 0; done < count; ) {
            int n = Math.min(maxBatch, count - done);
            boolean last = done + n == count;
            for (int b = 0; b < n; b++) {
                rowCache[b] = cache;
                rowPos[b] = start + done + b;
                rowToken[b] = tokens[from + done + b];
            }
            forwardRows(n);
            if (logits != null && allPositions) {
                for (int b = 0; b < n; b++) {
                    rowLogits(b, logits, (done + b) * vocab);
                }
            } else if (logits != null && last) {
                rowLogits(n - 1, logits, 0);
            }
            done += n;
        }
        java.util.Arrays.fill(rowCache, null);
    }

    /**
     * One step over rows of several sequences at once (continuous batching): row {@code b} feeds
     * {@code tokens[b]} at position {@code positions[b]} of {@code caches[b]}. The rows of one
     * sequence must be consecutive, at consecutive positions starting at its cache's length. Every
     * weight is read once for all rows, and the arithmetic of each row is the same whatever the
     * other rows are, so a sequence's results do not depend on the batch it ran in.
     *
     * @param logitRows the rows whose logits are wanted, ascending; their logits go to
     *     {@code logits[i * vocab]} for the i-th of them
     */
    public void forwardBatch(int n, KvCache[] caches, int[] positions, int[] tokens, int[] logitRows, int logitRowCount,
            float[] logits) {
        if (n < 1 || n > maxBatch) {
            throw new IllegalArgumentException("a step takes 1.." + maxBatch + " rows, got " + n);
        }
        System.arraycopy(caches, 0, rowCache, 0, n);
        System.arraycopy(positions, 0, rowPos, 0, n);
        System.arraycopy(tokens, 0, rowToken, 0, n);
        forwardRows(n);
        if (logitRowCount > 0) {
            int dim = c.embeddingLength();
            for (int i = 0; i < logitRowCount; i++) {
                FloatOps.rmsNorm(x, logitRows[i] * dim, w.outputNorm(), c.rmsNormEpsilon(), xb, i * dim, dim);
            }
            product.matMul(w.output(), input(w.output(), xb, logitRowCount, dim), dim, logitRowCount, logits, c.vocabSize(), pool);
        }
        java.util.Arrays.fill(rowCache, 0, n, null);
    }

    private void forwardRows(int n) {
        int dim = c.embeddingLength();
        for (int b = 0; b < n; b++) {
            KvCache cache = rowCache[b];
            if (b == 0 || cache != rowCache[b - 1]) {
                if (cache.contextLength() > maxContext) {
                    throw new IllegalArgumentException("cache of " + cache.contextLength() + " positions exceeds this transformer's "
                            + maxContext);
                }
                cache.pendingLength = cache.length();
            }
            if (rowPos[b] != cache.pendingLength) {
                throw new IllegalArgumentException("row " + b + " is at position " + rowPos[b] + ", its sequence is at "
                        + cache.pendingLength);
            }
            if (rowPos[b] >= cache.contextLength()) {
                throw new ContextLengthExceededException(rowPos[b] + 1, cache.contextLength());
            }
            if (rowToken[b] < 0 || rowToken[b] >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + rowToken[b] + " is outside the vocabulary (0.." + (c.vocabSize() - 1) + ")");
            }
            cache.pendingLength++;
        }
        for (int b = 0; b < n; b++) {
            rowCache[b].prepareWrite(rowPos[b]);
            w.tokenEmbedding().dequantizeRow(rowToken[b], x, b * dim);
        }
        computeRope(n);
        for (int l = 0; l < w.layers().length; l++) {
            LayerWeights layer = w.layers()[l];
            attention(layer, l, n);
            feedForward(layer, n);
        }
        for (int b = 0; b < n; b++) {
            rowCache[b].setLength(rowPos[b] + 1);
        }
    }

    private void attention(LayerWeights layer, int l, int n) {
        int dim = c.embeddingLength();
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        normWeight = layer.attentionNorm();
        pool.parallelFor(n, normRows);
        if (layer.fusedQkv()) {
            int rows = qDim + 2 * kvDim;
            product.matMul(layer.qkv(), input(layer.qkv(), xb, n, dim), dim, n, qkv, rows, pool);
            for (int b = 0; b < n; b++) {
                System.arraycopy(qkv, b * rows, q, b * qDim, qDim);
                System.arraycopy(qkv, b * rows + qDim, k, b * kvDim, kvDim);
                System.arraycopy(qkv, b * rows + qDim + kvDim, v, b * kvDim, kvDim);
            }
        } else {
            // Each conversion may overwrite the shared buffer, so reuse only the latest one.
            float[] inQ = input(layer.wq(), xb, n, dim);
            product.matMul(layer.wq(), inQ, dim, n, q, qDim, pool);
            float[] inK = sameFormat(layer.wq(), layer.wk()) ? inQ : input(layer.wk(), xb, n, dim);
            product.matMul(layer.wk(), inK, dim, n, k, kvDim, pool);
            float[] inV = sameFormat(layer.wk(), layer.wv()) ? inK : input(layer.wv(), xb, n, dim);
            product.matMul(layer.wv(), inV, dim, n, v, kvDim, pool);
        }
        attentionLayer = l;
        positionLayer = layer;
        pool.parallelFor(n, positionRows);
        positionLayer = null;
        attentionRows = n;
        pool.parallelFor(c.headCountKv(), attentionBody);
        product.matMul(layer.wo(), input(layer.wo(), attentionOut, n, qDim), qDim, n, xb2, dim, pool);
        FloatOps.add(xb2, 0, x, 0, n * dim);
    }

    /**
     * Attention output of KV heads [g0, g1) for every row of the step. Split by KV head, each
     * position is walked once for all the query heads that share it: its keys and values are read
     * from memory once per layer, not once per query head (at 2,000 positions a KV head's cache no
     * longer fits in L2), and widened from halves once, a page at a time, into this head's
     * scratch. Each head's arithmetic is unchanged: the same dot per position, the same order of
     * additions.
     */
    private void attendKvHeads(int g0, int g1) {
        int l = attentionLayer;
        int n = attentionRows;
        int headDim = c.headDim();
        int group = c.headCount() / c.headCountKv();
        int qDim = c.qDim();
        boolean sixteenAtATime = FloatOps.SIXTEEN_DOTS && headDim % 16 == 0 && KvPagePool.PAGE_TOKENS % 16 == 0;
        for (int g = g0; g < g1; g++) {
            int firstHead = g * group;
            float[] kv = kvScratch[g];
            float[] lanes = scoreLanes[g];
            for (int b = 0; b < n; b++) {
                KvCache cache = rowCache[b];
                KvPagePool pages = cache.pool();
                int kBase = pages.keyOffset(l, g, 0);
                int vBase = pages.valueOffset(l, g, 0);
                int positions = rowPos[b] + 1;
                int qRow = b * qDim;
                for (int p = 0; p < positions; p += KvPagePool.PAGE_TOKENS) {
                    int count = Math.min(KvPagePool.PAGE_TOKENS, positions - p);
                    FloatOps.halvesToFloats(cache.page(p), kBase, kv, SCRATCH_START, count * headDim);
                    int t = 0;
                    if (sixteenAtATime) {
                        // Sixteen positions at a time, their lane sums folded together: the same
                        // scores, bit for bit, for a fraction of the work.
                        for (; t + 16 <= count; t += 16) {
                            for (int h = firstHead; h < firstHead + group; h++) {
                                FloatOps.sixteenScaledDots(q, qRow + h * headDim, kv, SCRATCH_START + t * headDim, headDim,
                                        headDim, attentionScale, lanes, scores, h * maxContext + p + t);
                            }
                        }
                    }
                    for (; t < count; t++) {
                        for (int h = firstHead; h < firstHead + group; h++) {
                            scores[h * maxContext + p + t] =
                                    FloatOps.dot(q, qRow + h * headDim, kv, SCRATCH_START + t * headDim, headDim) * attentionScale;
                        }
                    }
                }
                for (int h = firstHead; h < firstHead + group; h++) {
                    FloatOps.softmax(scores, h * maxContext, positions);
                    FloatOps.roundToHalf(scores, h * maxContext, positions);
                    int outOff = qRow + h * headDim;
                    java.util.Arrays.fill(attentionOut, outOff, outOff + headDim, 0f);
                }
                // A page's positions at a time: each head's output stays in registers across them.
                for (int p = 0; p < positions; p += KvPagePool.PAGE_TOKENS) {
                    int count = Math.min(KvPagePool.PAGE_TOKENS, positions - p);
                    FloatOps.halvesToFloats(cache.page(p), vBase, kv, SCRATCH_START, count * headDim);
                    for (int h = firstHead; h < firstHead + group; h++) {
                        FloatOps.axpyRows(scores, h * maxContext + p, kv, SCRATCH_START, headDim, count, attentionOut,
                                qRow + h * headDim, headDim);
                    }
                }
            }
        }
    }

    private void feedForward(LayerWeights layer, int n) {
        int dim = c.embeddingLength();
        int ffn = c.feedForwardLength();
        normWeight = layer.ffnNorm();
        pool.parallelFor(n, normRows);
        if (layer.fusedGateUp()) {
            // Phi-3 stores gate and up stacked in one matrix: the first half of the output is the gate.
            product.matMul(layer.gateUp(), input(layer.gateUp(), xb, n, dim), dim, n, gateUp, 2 * ffn, pool);
        } else {
            float[] in = input(layer.ffnGate(), xb, n, dim);
            product.matMul(layer.ffnGate(), in, dim, n, gate, ffn, pool);
            product.matMul(layer.ffnUp(), sameFormat(layer.ffnGate(), layer.ffnUp()) ? in : input(layer.ffnUp(), xb, n, dim), dim, n, up, ffn, pool);
        }
        pool.parallelFor(n, swigluRows);
        product.matMul(layer.ffnDown(), input(layer.ffnDown(), gate, n, ffn), ffn, n, xb2, dim, pool);
        FloatOps.add(xb2, 0, x, 0, n * dim);
    }

    /** Logits of row {@code b} of the step just run, into {@code logits[off ..]}. */
    private void rowLogits(int b, float[] logits, int off) {
        int dim = c.embeddingLength();
        FloatOps.rmsNorm(x, b * dim, w.outputNorm(), c.rmsNormEpsilon(), lastHidden, 0, dim);
        product.matVec(w.output(), input(w.output(), lastHidden, 1, dim), 0, logits, off, pool);
    }

    /**
     * The input vectors as the matrix's product sees them: quantized to 8-bit blocks (or rounded to
     * halves) and decoded, exactly as llama.cpp converts activations before its products.
     */
    private float[] input(WeightMatrix matrix, float[] src, int rows, int cols) {
        ActivationFormat format = matrix.activationFormat();
        if (format == ActivationFormat.F32) {
            return src;
        }
        convertFormat = format;
        convertSource = src;
        convertCols = cols;
        pool.parallelFor(rows, convertRows);
        convertSource = null;
        return prepared;
    }

    private void convertRows(int from, int to) {
        convertFormat.roundTrip(convertSource, from * convertCols, prepared, from * convertCols, to - from, convertCols);
    }

    private void normRows(int from, int to) {
        int dim = c.embeddingLength();
        for (int b = from; b < to; b++) {
            FloatOps.rmsNorm(x, b * dim, normWeight, c.rmsNormEpsilon(), xb, b * dim, dim);
        }
    }

    /**
     * Rows [from, to) of Q and K get their biases and rotations; Q is scaled and rounded to halves
     * as llama.cpp's attention sees it, K and V go into the cache as halves.
     */
    private void positionRows(int from, int to) {
        LayerWeights layer = positionLayer;
        int l = attentionLayer;
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        int headDim = c.headDim();
        for (int b = from; b < to; b++) {
            if (layer.bq() != null) {
                FloatOps.add(layer.bq(), 0, q, b * qDim, qDim);
            }
            if (layer.bk() != null) {
                FloatOps.add(layer.bk(), 0, k, b * kvDim, kvDim);
            }
            if (layer.bv() != null) {
                FloatOps.add(layer.bv(), 0, v, b * kvDim, kvDim);
            }
            applyRope(q, b * qDim, c.headCount(), b);
            applyRope(k, b * kvDim, c.headCountKv(), b);
            // The KV cache holds F16 values, as llama.cpp's default cache does; its attention
            // products also round Q and the attention weights to F16. Doing the same keeps our
            // logits within ~1e-4 relative of llama.cpp's instead of ~1e-3.
            if (queryScale != 1f) {
                for (int i = b * qDim; i < (b + 1) * qDim; i++) {
                    q[i] *= queryScale;
                }
            }
            FloatOps.roundToHalf(q, b * qDim, qDim);
            KvCache cache = rowCache[b];
            short[] page = cache.page(rowPos[b]);
            int slot = rowPos[b] & (KvPagePool.PAGE_TOKENS - 1);
            KvPagePool pages = cache.pool();
            for (int g = 0; g < c.headCountKv(); g++) {
                FloatOps.floatsToHalves(k, b * kvDim + g * headDim, page, pages.keyOffset(l, g, slot), headDim);
                FloatOps.floatsToHalves(v, b * kvDim + g * headDim, page, pages.valueOffset(l, g, slot), headDim);
            }
        }
    }

    private void swigluRows(int from, int to) {
        int ffn = c.feedForwardLength();
        for (int b = from; b < to; b++) {
            if (gateUp != null) {
                // Phi-3 stores gate and up stacked in one matrix: the first half of the output is the gate.
                FloatOps.swiglu(gateUp, b * 2 * ffn, gateUp, b * 2 * ffn + ffn, ffn);
                System.arraycopy(gateUp, b * 2 * ffn, gate, b * ffn, ffn);
            } else {
                FloatOps.swiglu(gate, b * ffn, up, b * ffn, ffn);
            }
        }
    }

    /** Whether {@code b} sees its input exactly as {@code a} does, so one conversion serves both. */
    private static boolean sameFormat(WeightMatrix a, WeightMatrix b) {
        return a.activationFormat() == b.activationFormat();
    }

    /** Cosines and sines of every rotated pair for the chunk's positions, shared by all layers. */
    private void computeRope(int n) {
        int pairs = c.ropeDimensions() / 2;
        // Same recurrence as ggml: theta_i = p · base^(-2i/d), built by repeated multiplication in float.
        float thetaScale = (float) Math.pow(c.ropeFrequencyBase(), -2.0 / c.ropeDimensions());
        float[] factors = w.ropeFrequencyFactors();
        for (int b = 0; b < n; b++) {
            float theta = rowPos[b];
            for (int i = 0; i < pairs; i++) {
                float t = theta;
                if (factors != null) {
                    t /= factors[i];
                }
                t *= c.ropeFrequencyScale();
                ropeCos[b * pairs + i] = (float) Math.cos(t);
                ropeSin[b * pairs + i] = (float) Math.sin(t);
                theta *= thetaScale;
            }
        }
    }

    private void applyRope(float[] vec, int off, int heads, int b) {
        int headDim = c.headDim();
        int pairs = c.ropeDimensions() / 2;
        int tab = b * pairs;
        boolean neox = c.architecture().ropeLayout() == Architecture.RopeLayout.NEOX;
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int i = 0; i < pairs; i++) {
                int i0 = neox ? base + i : base + 2 * i;
                int i1 = neox ? base + i + pairs : base + 2 * i + 1;
                float cos = ropeCos[tab + i];
                float sin = ropeSin[tab + i];
                float v0 = vec[i0];
                float v1 = vec[i1];
                vec[i0] = v0 * cos - v1 * sin;
                vec[i1] = v0 * sin + v1 * cos;
            }
        }
    }
}
