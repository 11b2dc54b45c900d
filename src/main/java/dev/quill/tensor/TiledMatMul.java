package dev.quill.tensor;

import static dev.quill.tensor.Simd.LANES;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;

import static dev.quill.tensor.Simd.F;

/**
 * The batched product for weight types with an exact decode ({@link WeightMatrix#decodesRows}):
 * a block of rows is decoded to floats ({@link #blockRows}: three rows, 24 KB at 2,048 columns,
 * while the batch is small; larger blocks for prompt batches), then multiplied with every vector
 * of the batch by a register-blocked float kernel (three rows by four vectors: each weight load
 * feeds four FMAs, each input load three). Decoding, the costly part of
 * a quantized dot, is so paid once per batch instead of once per vector; a lone vector goes
 * through the type's fused {@link WeightMatrix#dot}, which decodes in registers.
 *
 * <p>Both follow one contract per (row, vector), so a vector's result is bit for bit the same
 * alone, in a batch of any size, or at any place in it: the row's weights are exactly those of
 * {@link WeightMatrix#dequantizeRow}; chunk c (values {@code c*LANES ..+LANES}) is multiplied
 * into accumulator {@code c % 2} by fused multiply-add, each accumulator taking its chunks in
 * increasing order; the result is {@code sumLanes(even + odd)}. Two accumulators let
 * consecutive FMAs of a single dot overlap instead of waiting on each other.
 */
final class TiledMatMul {
    private TiledMatMul() {
    }

    /**
     * The smallest batch worth decoding to memory for: one vector's fused dot, decoding in
     * registers, is faster than decoding to memory and reading back. Types that pair vectors in
     * registers start later (see {@link WeightMatrix#smallestTiledBatch}).
     */
    static final int MIN_BATCH = 2;

    /** Rows and vectors of the main kernel. */
    private static final int ROWS = 3;
    private static final int VECTORS = 4;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Per thread: the decoded rows (from {@link #ALIGNED}, grown once per shape) and the kernels' lane sums. */
    private static final class Scratch {
        float[] tile = new float[0];
        final float[] laneSums = new float[ROWS * VECTORS * LANES];
    }

    /**
     * The calling thread's lane scratch ({@code 12 * LANES} floats), for kernels that finish their
     * lane sums in scalar code ({@link Simd#sumLanes(float[], int)}) to stay inside C2's inlining
     * budget. Taken once per range of rows: a thread-local lookup per row would cost more.
     */
    static float[] laneScratch() {
        return SCRATCH.get().laneSums;
    }

    /**
     * Where the kernels' arrays start: the index whose address is a multiple of 64 bytes when
     * objects are 64-byte aligned ({@code -XX:ObjectAlignmentInBytes=64}, which the launcher
     * sets; array data follows a 16-byte header). Then no 64-byte vector load splits across two
     * cache lines, which took a second L1 access per load: the kernel ran 25-35% faster with the
     * tile and inputs aligned than at any other offset ({@link MatrixProduct} copies the inputs
     * there). Without that option the offset is only a few unused floats.
     */
    static final int ALIGNED = 12;

    /** Whether rows of {@code cols} values are whole pairs of chunks, as the contract needs. */
    static boolean fits(int cols) {
        return cols % (2 * LANES) == 0;
    }

    /**
     * {@code out[b*outStride + r] = row r · x[b*xStride ..]} for rows [from, to) and {@code batch}
     * vectors; allocates nothing once the thread's tile has grown to the row width.
     */
    static void multiplyRows(WeightMatrix m, float[] x, int xOff, int xStride, int batch, float[] out,
            int outStride, int from, int to) {
        int cols = m.cols();
        int blockRows = blockRows(cols, batch, m.decodesInLongRuns());
        Scratch scratch = SCRATCH.get();
        if (scratch.tile.length < ALIGNED + blockRows * cols) {
            scratch.tile = new float[ALIGNED + blockRows * cols];
        }
        float[] tile = scratch.tile;
        float[] laneSums = scratch.laneSums;
        for (int first = from; first < to; first += blockRows) {
            int end = Math.min(first + blockRows, to);
            for (int r = first; r < end; r++) {
                m.decodeRow(r, tile, ALIGNED + (r - first) * cols);
            }
            // A last group short of rows runs on zero rows, whose sums are not written: one
            // kernel for every row keeps vector code out of this loop (see writeSums).
            int padded = (end - first + ROWS - 1) / ROWS * ROWS;
            Arrays.fill(tile, ALIGNED + (end - first) * cols, ALIGNED + padded * cols, 0f);
            int b = 0;
            for (; b + VECTORS <= batch; b += VECTORS) {
                for (int r = first; r < end; r += ROWS) {
                    threeRowsFourVectors(tile, ALIGNED + (r - first) * cols, cols, x, xOff + b * xStride, xStride,
                            laneSums);
                    int rows = Math.min(ROWS, end - r);
                    if (LANES == 16) {
                        writeTwelveSums(laneSums, rows, out, b * outStride + r, outStride);
                    } else {
                        writeSums(laneSums, rows, VECTORS, out, b * outStride + r, outStride);
                    }
                }
            }
            for (; b < batch; b++) {
                for (int r = first; r < end; r += ROWS) {
                    threeRowsOneVector(tile, ALIGNED + (r - first) * cols, cols, x, xOff + b * xStride, laneSums);
                    writeSums(laneSums, Math.min(ROWS, end - r), 1, out, b * outStride + r, outStride);
                }
            }
        }
    }

    /**
     * Decoded weights per block of rows when the batch's inputs overflow L2 (prompt prefill):
     * the inputs are then read once per block instead of once per three rows, and the tile
     * still fits in L2 next to the inputs being streamed.
     */
    private static final int TILE_BYTES = 384 * 1024;

    /** Inputs up to this size stay in L2 across row groups, so three rows (in L1) do best. */
    private static final int CACHED_INPUT_BYTES = 256 * 1024;

    /**
     * Rows decoded at a time. Three (one kernel group, 24 KB at 2,048 columns, in L1) while the
     * batch's inputs fit in L2; else whole groups filling about {@link #TILE_BYTES}. In a
     * single-thread 2048x2048 product, batch 8 ran 16% faster with three rows and batch 128 10%
     * faster with blocks; prefill of 128 tokens (2 threads, where the inputs otherwise stream
     * from the shared L3 for every three rows) 15-17% faster on Q8_0 and Q4_K_M files. Types
     * that {@link WeightMatrix#decodesInLongRuns} always take blocks.
     */
    static int blockRows(int cols, int batch, boolean longRuns) {
        if (!longRuns && (long) batch * cols * Float.BYTES <= CACHED_INPUT_BYTES) {
            return ROWS;
        }
        return Math.max(1, TILE_BYTES / (ROWS * cols * Float.BYTES)) * ROWS;
    }

    /**
     * A decoded row times one vector by the contract, leaving {@code even + odd} at {@code
     * laneSums[0 ..]}. Not the type's fused dot: C2 would inline that (large, and different per
     * type) into the row loop, past the size where it stops inlining vector calls.
     */
    private static void rowTimesVector(float[] w, int cols, float[] x, int x0, float[] laneSums) {
        FloatVector even = FloatVector.zero(F);
        FloatVector odd = FloatVector.zero(F);
        for (int c = 0; c < cols; c += 2 * LANES) {
            even = Simd.loadX(w, c).fma(Simd.loadX(x, x0 + c), even);
            odd = Simd.loadX(w, c + LANES).fma(Simd.loadX(x, x0 + c + LANES), odd);
        }
        even.add(odd).intoArray(laneSums, 0);
    }

    /**
     * One row with one vector by the contract, decoding the row to memory first: for types whose
     * decode is a cheap conversion (F16), so a fused dot would gain nothing.
     */
    static float dotRow(WeightMatrix m, int row, float[] x, int xOff) {
        Scratch scratch = SCRATCH.get();
        if (scratch.tile.length < m.cols()) {
            scratch.tile = new float[Math.max(ROWS * m.cols(), scratch.tile.length)];
        }
        m.decodeRow(row, scratch.tile, 0);
        rowTimesVector(scratch.tile, m.cols(), x, xOff, scratch.laneSums);
        return Simd.sumLanes(scratch.laneSums, 0);
    }


    /**
     * Index vectors for {@link #writeTwelveSums} (and attention's sixteen scores, {@link
     * FloatOps#sixteenScaledDots}): {@code PICK_LOW_h} gathers, from two vectors
     * each holding groups of 2h lanes (one group per output), the low h lanes of every group, the
     * first vector's groups first; {@code PICK_HIGH_h} the high h lanes. Adding the two gives
     * groups of h lanes with exactly the additions of {@link Simd#sumLanes}'s fold by h.
     */
    static final FloatVector PICK_LOW_8 = pick(8, false);
    static final FloatVector PICK_HIGH_8 = pick(8, true);
    static final FloatVector PICK_LOW_4 = pick(4, false);
    static final FloatVector PICK_HIGH_4 = pick(4, true);
    static final FloatVector PICK_LOW_2 = pick(2, false);
    static final FloatVector PICK_HIGH_2 = pick(2, true);
    static final FloatVector PICK_LOW_1 = pick(1, false);
    static final FloatVector PICK_HIGH_1 = pick(1, true);

    /** Null where a vector has no fold by {@code h} (under 16 lanes, where they are not used). */
    private static FloatVector pick(int h, boolean high) {
        if (2 * h > LANES) {
            return null;
        }
        float[] indexes = new float[LANES];
        int groups = LANES / (2 * h);
        for (int t = 0; t < LANES; t++) {
            int group = t / h;
            // Lanes [0, LANES) of the table are the first vector's, [LANES, 2*LANES) the second's.
            int table = group < groups ? 0 : LANES;
            indexes[t] = table + (group % groups) * 2 * h + t % h + (high ? h : 0);
        }
        return FloatVector.fromArray(F, indexes, 0);
    }

    /**
     * {@link #writeSums} for the twelve products of {@link #threeRowsFourVectors} at 16 lanes, bit
     * for bit: instead of one scalar tree per product, the lane vectors are folded pairwise with
     * several products side by side in a vector (fold by 8: two products per vector, by 4: four,
     * by 2: eight, by 1: sixteen slots), each lane adding the same two values as {@link
     * Simd#sumLanes}. Batched products of 8 to 32 vectors ran 10-25% faster than with the scalar
     * trees (same JVM, interleaved).
     *
     * <p>Written out on purpose: over 325 bytes of bytecode, C2 compiles it on its own instead of
     * inlining it into the row loop, which is already near the size where C2 stops inlining
     * vector calls (and boxes them; {@code WeightMatrixDotTest} checks the compiled product
     * allocates nothing).
     */
    private static void writeTwelveSums(float[] laneSums, int rows, float[] out, int at, int outStride) {
        FloatVector l0 = Simd.loadX(laneSums, 0);
        FloatVector l1 = Simd.loadX(laneSums, LANES);
        FloatVector l2 = Simd.loadX(laneSums, 2 * LANES);
        FloatVector l3 = Simd.loadX(laneSums, 3 * LANES);
        FloatVector l4 = Simd.loadX(laneSums, 4 * LANES);
        FloatVector l5 = Simd.loadX(laneSums, 5 * LANES);
        FloatVector l6 = Simd.loadX(laneSums, 6 * LANES);
        FloatVector l7 = Simd.loadX(laneSums, 7 * LANES);
        FloatVector l8 = Simd.loadX(laneSums, 8 * LANES);
        FloatVector l9 = Simd.loadX(laneSums, 9 * LANES);
        FloatVector l10 = Simd.loadX(laneSums, 10 * LANES);
        FloatVector l11 = Simd.loadX(laneSums, 11 * LANES);
        FloatVector p0 = PICK_LOW_8.selectFrom(l0, l1).add(PICK_HIGH_8.selectFrom(l0, l1));
        FloatVector p1 = PICK_LOW_8.selectFrom(l2, l3).add(PICK_HIGH_8.selectFrom(l2, l3));
        FloatVector p2 = PICK_LOW_8.selectFrom(l4, l5).add(PICK_HIGH_8.selectFrom(l4, l5));
        FloatVector p3 = PICK_LOW_8.selectFrom(l6, l7).add(PICK_HIGH_8.selectFrom(l6, l7));
        FloatVector p4 = PICK_LOW_8.selectFrom(l8, l9).add(PICK_HIGH_8.selectFrom(l8, l9));
        FloatVector p5 = PICK_LOW_8.selectFrom(l10, l11).add(PICK_HIGH_8.selectFrom(l10, l11));
        FloatVector q0 = PICK_LOW_4.selectFrom(p0, p1).add(PICK_HIGH_4.selectFrom(p0, p1));
        FloatVector q1 = PICK_LOW_4.selectFrom(p2, p3).add(PICK_HIGH_4.selectFrom(p2, p3));
        FloatVector q2 = PICK_LOW_4.selectFrom(p4, p5).add(PICK_HIGH_4.selectFrom(p4, p5));
        FloatVector r0 = PICK_LOW_2.selectFrom(q0, q1).add(PICK_HIGH_2.selectFrom(q0, q1));
        FloatVector r1 = PICK_LOW_2.selectFrom(q2, q2).add(PICK_HIGH_2.selectFrom(q2, q2));
        // Lane k now holds the sum of product k = 4*row + vector (lanes 12..15 repeat 8..11).
        PICK_LOW_1.selectFrom(r0, r1).add(PICK_HIGH_1.selectFrom(r0, r1)).intoArray(laneSums, 0);
        for (int i = 0; i < rows; i++) {
            for (int v = 0; v < VECTORS; v++) {
                out[at + v * outStride + i] = laneSums[i * VECTORS + v];
            }
        }
    }

    /**
     * Sums the lanes a kernel left for {@link #ROWS} rows by {@code vectors} vectors into {@code
     * out[at + v*outStride + i]}. Scalar code with the vector code's bits (see {@link
     * Simd#sumLanes(float[], int)}): C2 inlines this into the row loop, and vector calls there
     * would push it past the size where C2 stops inlining them (and boxes vectors).
     */
    private static void writeSums(float[] laneSums, int rows, int vectors, float[] out, int at, int outStride) {
        for (int i = 0; i < rows; i++) {
            for (int v = 0; v < vectors; v++) {
                out[at + v * outStride + i] = Simd.sumLanes(laneSums, (i * vectors + v) * LANES);
            }
        }
    }

    /**
     * Tile rows 0..2 (stride {@code cols}) times vectors {@code x0 + j*xStride} (j < 4): 24
     * accumulators, an even and an odd one per product. Leaves {@code even + odd} for row i and
     * vector j at {@code laneSums[(4*i + j) * LANES ..]}: twelve final lane sums here would make
     * the method too big for C2 to keep every vector call intrinsic (see {@link Simd}).
     *
     * <p>Loads call {@code FloatVector.fromArray} directly, not {@link Simd#loadX}: C2 stops
     * inlining methods it is only told to inline (our helpers) once the graph passes 18,000
     * nodes, but keeps inlining the JDK's own force-inlined vector methods. With the helper and
     * 24 separate zero vectors the last load began at 17,100 to 17,800 nodes, and on some runs'
     * profiles past the limit: the product then boxed every vector (94 KB per call in CI). {@code
     * KernelInliningBudgetTest} keeps every kernel 1,500 nodes clear of it.
     */
    private static void threeRowsFourVectors(float[] w, int w0, int cols, float[] x, int x0, int xStride,
            float[] laneSums) {
        int w1 = w0 + cols;
        int w2 = w1 + cols;
        int x1 = x0 + xStride;
        int x2 = x1 + xStride;
        int x3 = x2 + xStride;
        FloatVector zero = FloatVector.zero(F);
        // Even and odd accumulators of row i, vector j: eij and oij.
        FloatVector e00 = zero, e01 = zero, e02 = zero, e03 = zero, o00 = zero, o01 = zero, o02 = zero, o03 = zero;
        FloatVector e10 = zero, e11 = zero, e12 = zero, e13 = zero, o10 = zero, o11 = zero, o12 = zero, o13 = zero;
        FloatVector e20 = zero, e21 = zero, e22 = zero, e23 = zero, o20 = zero, o21 = zero, o22 = zero, o23 = zero;
        for (int c = 0; c < cols; c += 2 * LANES) {
            FloatVector row00 = FloatVector.fromArray(F, w, w0 + c);
            FloatVector row10 = FloatVector.fromArray(F, w, w1 + c);
            FloatVector row20 = FloatVector.fromArray(F, w, w2 + c);
            FloatVector in0 = FloatVector.fromArray(F, x, x0 + c);
            e00 = row00.fma(in0, e00);
            e10 = row10.fma(in0, e10);
            e20 = row20.fma(in0, e20);
            in0 = FloatVector.fromArray(F, x, x1 + c);
            e01 = row00.fma(in0, e01);
            e11 = row10.fma(in0, e11);
            e21 = row20.fma(in0, e21);
            in0 = FloatVector.fromArray(F, x, x2 + c);
            e02 = row00.fma(in0, e02);
            e12 = row10.fma(in0, e12);
            e22 = row20.fma(in0, e22);
            in0 = FloatVector.fromArray(F, x, x3 + c);
            e03 = row00.fma(in0, e03);
            e13 = row10.fma(in0, e13);
            e23 = row20.fma(in0, e23);
            FloatVector row01 = FloatVector.fromArray(F, w, w0 + c + LANES);
            FloatVector row11 = FloatVector.fromArray(F, w, w1 + c + LANES);
            FloatVector row21 = FloatVector.fromArray(F, w, w2 + c + LANES);
            FloatVector in1 = FloatVector.fromArray(F, x, x0 + c + LANES);
            o00 = row01.fma(in1, o00);
            o10 = row11.fma(in1, o10);
            o20 = row21.fma(in1, o20);
            in1 = FloatVector.fromArray(F, x, x1 + c + LANES);
            o01 = row01.fma(in1, o01);
            o11 = row11.fma(in1, o11);
            o21 = row21.fma(in1, o21);
            in1 = FloatVector.fromArray(F, x, x2 + c + LANES);
            o02 = row01.fma(in1, o02);
            o12 = row11.fma(in1, o12);
            o22 = row21.fma(in1, o22);
            in1 = FloatVector.fromArray(F, x, x3 + c + LANES);
            o03 = row01.fma(in1, o03);
            o13 = row11.fma(in1, o13);
            o23 = row21.fma(in1, o23);
        }
        e00.add(o00).intoArray(laneSums, 0 * LANES);
        e01.add(o01).intoArray(laneSums, 1 * LANES);
        e02.add(o02).intoArray(laneSums, 2 * LANES);
        e03.add(o03).intoArray(laneSums, 3 * LANES);
        e10.add(o10).intoArray(laneSums, 4 * LANES);
        e11.add(o11).intoArray(laneSums, 5 * LANES);
        e12.add(o12).intoArray(laneSums, 6 * LANES);
        e13.add(o13).intoArray(laneSums, 7 * LANES);
        e20.add(o20).intoArray(laneSums, 8 * LANES);
        e21.add(o21).intoArray(laneSums, 9 * LANES);
        e22.add(o22).intoArray(laneSums, 10 * LANES);
        e23.add(o23).intoArray(laneSums, 11 * LANES);
    }

    /** {@link #threeRowsFourVectors} for one vector: lanes for row i at {@code laneSums[i * LANES ..]}. */
    private static void threeRowsOneVector(float[] w, int w0, int cols, float[] x, int x0, float[] laneSums) {
        int w1 = w0 + cols;
        int w2 = w1 + cols;
        FloatVector e00 = FloatVector.zero(F), o00 = FloatVector.zero(F);
        FloatVector e10 = FloatVector.zero(F), o10 = FloatVector.zero(F);
        FloatVector e20 = FloatVector.zero(F), o20 = FloatVector.zero(F);
        for (int c = 0; c < cols; c += 2 * LANES) {
            FloatVector row00 = Simd.loadX(w, w0 + c);
            FloatVector row10 = Simd.loadX(w, w1 + c);
            FloatVector row20 = Simd.loadX(w, w2 + c);
            FloatVector in0 = Simd.loadX(x, x0 + c);
            e00 = row00.fma(in0, e00);
            e10 = row10.fma(in0, e10);
            e20 = row20.fma(in0, e20);
            FloatVector row01 = Simd.loadX(w, w0 + c + LANES);
            FloatVector row11 = Simd.loadX(w, w1 + c + LANES);
            FloatVector row21 = Simd.loadX(w, w2 + c + LANES);
            FloatVector in1 = Simd.loadX(x, x0 + c + LANES);
            o00 = row01.fma(in1, o00);
            o10 = row11.fma(in1, o10);
            o20 = row21.fma(in1, o20);
        }
        e00.add(o00).intoArray(laneSums, 0 * LANES);
        e10.add(o10).intoArray(laneSums, 1 * LANES);
        e20.add(o20).intoArray(laneSums, 2 * LANES);
    }
}
