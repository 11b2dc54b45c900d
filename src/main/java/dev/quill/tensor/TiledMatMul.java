package dev.quill.tensor;

import static dev.quill.tensor.Simd.F;
import static dev.quill.tensor.Simd.LANES;

import jdk.incubator.vector.FloatVector;

/**
 * The batched product for weight types with an exact row decode ({@link WeightMatrix#decodesRows}):
 * a tile of rows is decoded to floats once, then multiplied with every vector of the batch by a
 * register-blocked float kernel (three rows by four vectors: each weight load feeds four FMAs and
 * each input load three). Decoding, the costly part of a quantized dot, is so paid once per tile
 * instead of once per vector; one vector alone goes through the type's fused {@link
 * WeightMatrix#dot}, which decodes in registers.
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
     * The smallest batch worth decoding a tile for: below it, decoding to memory and reading back
     * costs more than each vector's fused dot decoding in registers.
     */
    static final int MIN_BATCH = 4;

    /** Rows and vectors of the main kernel. */
    private static final int ROWS = 3;
    private static final int VECTORS = 4;

    /**
     * Floats of one decoded tile: 96 KB stays in L2 next to the four input vectors in use
     * (4 x 8192 floats at most for the models in use).
     */
    private static final int TILE_FLOATS = 24 * 1024;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Per thread: the decoded tile (grown once per shape) and the kernels' lane accumulators. */
    private static final class Scratch {
        float[] tile = new float[0];
        final float[] laneSums = new float[ROWS * VECTORS * LANES];
    }

    /** Whether rows of {@code cols} values are whole pairs of chunks, as the contract needs. */
    static boolean fits(int cols) {
        return cols % (2 * LANES) == 0;
    }

    /** Rows per tile for rows of {@code cols} values: a multiple of 3, from 3 to 30. */
    static int tileRows(int cols) {
        int rows = Math.clamp(TILE_FLOATS / Math.max(1, cols), ROWS, 30);
        return rows - rows % ROWS;
    }

    /**
     * {@code out[b*outStride + r] = row r · x[b*xStride ..]} for rows [from, to) and {@code batch}
     * vectors; allocates nothing once the thread's tile has grown to the shape.
     */
    static void multiplyRows(WeightMatrix m, float[] x, int xStride, int batch, float[] out, int outStride,
            int from, int to) {
        int cols = m.cols();
        int tileRows = tileRows(cols);
        Scratch scratch = SCRATCH.get();
        if (scratch.tile.length < tileRows * cols) {
            scratch.tile = new float[tileRows * cols];
        }
        float[] tile = scratch.tile;
        float[] laneSums = scratch.laneSums;
        for (int first = from; first < to; first += tileRows) {
            int count = Math.min(tileRows, to - first);
            for (int i = 0; i < count; i++) {
                m.decodeRow(first + i, tile, i * cols);
            }
            int fullRows = count - count % ROWS;
            int b = 0;
            for (; b + VECTORS <= batch; b += VECTORS) {
                for (int i = 0; i < fullRows; i += ROWS) {
                    threeRowsFourVectors(tile, i * cols, cols, x, b * xStride, xStride, laneSums);
                    writeSums(laneSums, VECTORS, out, b * outStride + first + i, outStride);
                }
            }
            for (; b < batch; b++) {
                for (int i = 0; i < fullRows; i += ROWS) {
                    threeRowsOneVector(tile, i * cols, cols, x, b * xStride, 0, laneSums);
                    writeSums(laneSums, 1, out, b * outStride + first + i, outStride);
                }
            }
            leftoverRows(tile, fullRows, count, cols, x, xStride, batch, out, outStride, first);
        }
    }

    /**
     * Sums the lanes a kernel left for {@link #ROWS} rows by {@code vectors} vectors into {@code
     * out[at + v*outStride + i]}. Scalar code: C2 inlines this into the tile loop, and vector
     * calls there would push it past the size where C2 stops inlining them (and boxes vectors).
     */
    private static void writeSums(float[] laneSums, int vectors, float[] out, int at, int outStride) {
        for (int i = 0; i < ROWS; i++) {
            for (int v = 0; v < vectors; v++) {
                out[at + v * outStride + i] = Simd.sumLanes(laneSums, (i * vectors + v) * LANES);
            }
        }
    }

    /** Tile rows [from, count) that do not fill a kernel, one dot per vector. */
    private static void leftoverRows(float[] tile, int from, int count, int cols, float[] x, int xStride, int batch,
            float[] out, int outStride, int first) {
        for (int i = from; i < count; i++) {
            for (int v = 0; v < batch; v++) {
                out[v * outStride + first + i] = dot(tile, i * cols, x, v * xStride, cols);
            }
        }
    }

    /** One decoded row with one vector, by the contract. */
    static float dot(float[] w, int wOff, float[] x, int xOff, int cols) {
        FloatVector even = FloatVector.zero(F);
        FloatVector odd = FloatVector.zero(F);
        for (int c = 0; c < cols; c += 2 * LANES) {
            even = Simd.loadX(w, wOff + c).fma(Simd.loadX(x, xOff + c), even);
            odd = Simd.loadX(w, wOff + c + LANES).fma(Simd.loadX(x, xOff + c + LANES), odd);
        }
        return Simd.sumLanes(even.add(odd));
    }

    /**
     * Rows {@code w0 + i*cols} (i < 3) of the tile times vectors {@code x0 + j*xStride} (j < 4):
     * 24 accumulators, an even and an odd one per product. Leaves the lanes to sum for row i and
     * vector j at {@code laneSums[(4*i + j) * LANES ..]}: twelve final sums inline would make the
     * method too big for C2 to keep every vector call intrinsic (see {@link Simd}).
     */
    private static void threeRowsFourVectors(float[] w, int w0, int cols, float[] x, int x0, int xStride, float[] laneSums) {
        int w1 = w0 + cols;
        int w2 = w1 + cols;
        int x1 = x0 + xStride;
        int x2 = x1 + xStride;
        int x3 = x2 + xStride;
        FloatVector e00 = FloatVector.zero(F), o00 = FloatVector.zero(F);
        FloatVector e01 = FloatVector.zero(F), o01 = FloatVector.zero(F);
        FloatVector e02 = FloatVector.zero(F), o02 = FloatVector.zero(F);
        FloatVector e03 = FloatVector.zero(F), o03 = FloatVector.zero(F);
        FloatVector e10 = FloatVector.zero(F), o10 = FloatVector.zero(F);
        FloatVector e11 = FloatVector.zero(F), o11 = FloatVector.zero(F);
        FloatVector e12 = FloatVector.zero(F), o12 = FloatVector.zero(F);
        FloatVector e13 = FloatVector.zero(F), o13 = FloatVector.zero(F);
        FloatVector e20 = FloatVector.zero(F), o20 = FloatVector.zero(F);
        FloatVector e21 = FloatVector.zero(F), o21 = FloatVector.zero(F);
        FloatVector e22 = FloatVector.zero(F), o22 = FloatVector.zero(F);
        FloatVector e23 = FloatVector.zero(F), o23 = FloatVector.zero(F);
        for (int c = 0; c < cols; c += 2 * LANES) {
            // Even chunk.
            FloatVector a0 = Simd.loadX(w, w0 + c);
            FloatVector b0 = Simd.loadX(w, w1 + c);
            FloatVector c0 = Simd.loadX(w, w2 + c);
            FloatVector in0 = Simd.loadX(x, x0 + c);
            e00 = a0.fma(in0, e00);
            e10 = b0.fma(in0, e10);
            e20 = c0.fma(in0, e20);
            in0 = Simd.loadX(x, x1 + c);
            e01 = a0.fma(in0, e01);
            e11 = b0.fma(in0, e11);
            e21 = c0.fma(in0, e21);
            in0 = Simd.loadX(x, x2 + c);
            e02 = a0.fma(in0, e02);
            e12 = b0.fma(in0, e12);
            e22 = c0.fma(in0, e22);
            in0 = Simd.loadX(x, x3 + c);
            e03 = a0.fma(in0, e03);
            e13 = b0.fma(in0, e13);
            e23 = c0.fma(in0, e23);
            // Odd chunk.
            FloatVector a1 = Simd.loadX(w, w0 + c + LANES);
            FloatVector b1 = Simd.loadX(w, w1 + c + LANES);
            FloatVector c1 = Simd.loadX(w, w2 + c + LANES);
            FloatVector in1 = Simd.loadX(x, x0 + c + LANES);
            o00 = a1.fma(in1, o00);
            o10 = b1.fma(in1, o10);
            o20 = c1.fma(in1, o20);
            in1 = Simd.loadX(x, x1 + c + LANES);
            o01 = a1.fma(in1, o01);
            o11 = b1.fma(in1, o11);
            o21 = c1.fma(in1, o21);
            in1 = Simd.loadX(x, x2 + c + LANES);
            o02 = a1.fma(in1, o02);
            o12 = b1.fma(in1, o12);
            o22 = c1.fma(in1, o22);
            in1 = Simd.loadX(x, x3 + c + LANES);
            o03 = a1.fma(in1, o03);
            o13 = b1.fma(in1, o13);
            o23 = c1.fma(in1, o23);
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

    /** Rows {@code w0 + i*cols} (i < 3) times one vector; lanes for row i at {@code laneSums[i*LANES ..]}. */
    private static void threeRowsOneVector(float[] w, int w0, int cols, float[] x, int x0, int xStride, float[] laneSums) {
        int w1 = w0 + cols;
        int w2 = w1 + cols;
        FloatVector e00 = FloatVector.zero(F), o00 = FloatVector.zero(F);
        FloatVector e10 = FloatVector.zero(F), o10 = FloatVector.zero(F);
        FloatVector e20 = FloatVector.zero(F), o20 = FloatVector.zero(F);
        for (int c = 0; c < cols; c += 2 * LANES) {
            // Even chunk.
            FloatVector a0 = Simd.loadX(w, w0 + c);
            FloatVector b0 = Simd.loadX(w, w1 + c);
            FloatVector c0 = Simd.loadX(w, w2 + c);
            FloatVector in0 = Simd.loadX(x, x0 + c);
            e00 = a0.fma(in0, e00);
            e10 = b0.fma(in0, e10);
            e20 = c0.fma(in0, e20);
            // Odd chunk.
            FloatVector a1 = Simd.loadX(w, w0 + c + LANES);
            FloatVector b1 = Simd.loadX(w, w1 + c + LANES);
            FloatVector c1 = Simd.loadX(w, w2 + c + LANES);
            FloatVector in1 = Simd.loadX(x, x0 + c + LANES);
            o00 = a1.fma(in1, o00);
            o10 = b1.fma(in1, o10);
            o20 = c1.fma(in1, o20);
        }
        e00.add(o00).intoArray(laneSums, 0 * LANES);
        e10.add(o10).intoArray(laneSums, 1 * LANES);
        e20.add(o20).intoArray(laneSums, 2 * LANES);
    }
}
