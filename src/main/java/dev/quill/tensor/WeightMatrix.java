package dev.quill.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight matrix of {@code rows × cols} stored row-major in one ggml type, read in place from
 * a (memory-mapped) segment. In GGUF terms {@code cols = ne[0]} and {@code rows = ne[1]}. A 1-D
 * tensor is a matrix with one row.
 *
 * <p>Each weight type has a scalar reference path ({@link #dequantizeRow}, {@link #dotReference})
 * that is written for clarity, and a fast path ({@link #dot}) that uses the Vector API; tests check
 * them against each other. Hot paths never allocate.
 *
 * <p>Kernels must only ever see one kind of segment: once C2 has profiled several segment classes
 * (heap, mapped, allocated) at the vector loads, it no longer compiles them to vector instructions
 * and a kernel gets several times slower. So a heap segment is copied off-heap once here, and a
 * mapped one is viewed as a plain native segment. Other code doing vector loads from heap
 * segments would pollute the same (JDK-wide) profile.
 */
public abstract class WeightMatrix {
    protected final MemorySegment data;
    protected final int rows;
    protected final int cols;
    protected final long rowBytes;

    protected WeightMatrix(MemorySegment data, int rows, int cols) {
        GgmlType type = type();
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(type + " matrix cannot be " + rows + "x" + cols);
        }
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " needs rows of whole blocks of "
                    + type.blockSize() + " values, got " + cols);
        }
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = type.byteSize(cols);
        long needed = rowBytes * rows;
        // Exact: a tensor's bytes are sliced to its shape, so any difference means a wrong shape.
        if (data.byteSize() != needed) {
            throw new IllegalArgumentException(type + " matrix " + rows + "x" + cols + " needs "
                    + needed + " bytes, segment has " + data.byteSize());
        }
        this.data = data.isNative() ? sameClassView(data) : Arena.ofAuto().allocate(needed, 64).copyFrom(data);
    }

    /**
     * A view of a native segment (same memory, same lifetime) of the class that arena allocations
     * have, so that mapped and allocated weights do not make the kernels' loads polymorphic. Needs
     * native access; without it the segment is used as it is.
     */
    @SuppressWarnings("restricted") // same address, size and scope: nothing unsafe is created
    private static MemorySegment sameClassView(MemorySegment nativeSegment) {
        try {
            return nativeSegment.reinterpret(nativeSegment.byteSize());
        } catch (IllegalCallerException nativeAccessDenied) {
            return nativeSegment;
        }
    }

    public abstract GgmlType type();

    /** What llama.cpp converts this matrix's input vectors to (see {@link ActivationFormat}). */
    public final ActivationFormat activationFormat() {
        return ActivationFormat.forWeights(type());
    }

    public final int rows() {
        return rows;
    }

    public final int cols() {
        return cols;
    }

    /** Bytes of one stored row. */
    public final long rowBytes() {
        return rowBytes;
    }

    /** Total bytes of weights, read once per full mat-vec. */
    public final long byteSize() {
        return rowBytes * rows;
    }

    public final MemorySegment segment() {
        return data;
    }

    /** Scalar reference decode of one row into {@code out[off .. off+cols)}. */
    public abstract void dequantizeRow(int row, float[] out, int off);

    /** Scalar reference dot product of one row with {@code x[xOff .. xOff+cols)}. */
    public float dotReference(int row, float[] x, int xOff) {
        float[] tmp = new float[cols];
        dequantizeRow(row, tmp, 0);
        float sum = 0f;
        for (int i = 0; i < cols; i++) {
            sum += tmp[i] * x[xOff + i];
        }
        return sum;
    }

    /** Fast dot product of one row with {@code x[xOff .. xOff+cols)}; allocates nothing. */
    public abstract float dot(int row, float[] x, int xOff);

    /**
     * {@code out[outOff + r] = row r · x} for every row, rows split across the pool's threads.
     * Allocates a small call object and its copy of {@code x}; hot loops keep a {@link
     * MatrixProduct} instead.
     */
    public void matVec(float[] x, int xOff, float[] out, int outOff, ThreadPool pool) {
        new MatrixProduct().matVec(this, x, xOff, out, outOff, pool);
    }

    /**
     * Rows per tile of the fallback {@link #matMul} (types without an exact row decode): a tile's
     * rows stay in L2 while every vector of the batch passes over them.
     */
    static final int ROW_TILE = 16;

    /**
     * Batched product for {@code batch} activation vectors: {@code out[b*outStride + r] = row r ·
     * x[b*xStride ..]}. Rows are split across the pool's threads. Types that decode rows exactly
     * ({@link #decodesRows}) decode each tile of rows once for the whole batch ({@link
     * TiledMatMul}); others run {@link #dot} per vector over tiles of rows. Either way the
     * arithmetic for one vector is exactly that of {@link #dot}, so results do not depend on the
     * batch (its size, or the other vectors in it).
     */
    public void matMul(float[] x, int xStride, int batch, float[] out, int outStride, ThreadPool pool) {
        new MatrixProduct().matMul(this, x, xStride, batch, out, outStride, pool);
    }

    /** {@link #matMul} for rows [from, to), on the calling thread; allocates nothing per call. */
    final void matMulRows(float[] x, int xOff, int xStride, int batch, float[] out, int outStride, int from, int to) {
        if (decodesRows() && batch >= smallestTiledBatch()) {
            TiledMatMul.multiplyRows(this, x, xOff, xStride, batch, out, outStride, from, to);
            return;
        }
        dotRows(x, xOff, xStride, batch, out, outStride, from, to);
    }

    /**
     * The smallest batch that {@link #matMulRows} sends through {@link TiledMatMul}: {@link
     * TiledMatMul#MIN_BATCH}, or 3 for Q8_0, whose {@link #dotRows} takes two vectors through a
     * kernel that decodes each row once for both. Whole model, 2 threads, a step of two
     * sequences (Intel Xeon, AVX-512): Q8_0 file 154-172 ms with the pair kernel against 202-205
     * tiled; the Q4_0 and Q4_K_M files were faster tiled (143-148 against 169-188 ms, 181-183
     * against 192-194), so their pair kernels, faster on the AMD Zen 5 machine before, went.
     * Three vectors are tiled for every type (single thread, 8192x2048, G multiply-adds/s,
     * per-vector paths against tiled: Q4_0 15.9 / 19.2, Q8_0 12.3 / 15.7, Q4_K 10.0 / 12.9, Q6_K
     * 7.2 / 11.1).
     */
    protected int smallestTiledBatch() {
        return TiledMatMul.MIN_BATCH;
    }

    /**
     * {@link #matMulRows} below the tiled path: {@link #dot} per vector over tiles of rows. Q8_0
     * overrides it to take vectors two at a time (see {@link #smallestTiledBatch}), bit for bit
     * the same as two dots; an odd vector is paired with itself. Its kernel leaves the two lane
     * vectors in {@link TiledMatMul#laneScratch} and the sums are taken in scalar code: a vector
     * sum at the end of a kernel that size was left out of line at C2's node cutoff and boxed its
     * vector. The override keeps its own loop, which calls only its own kernel, so that other
     * types compile as before.
     */
    protected void dotRows(float[] x, int xOff, int xStride, int batch, float[] out, int outStride, int from, int to) {
        for (int tile = from; tile < to; tile += ROW_TILE) {
            int tileEnd = Math.min(to, tile + ROW_TILE);
            for (int b = 0; b < batch; b++) {
                for (int r = tile; r < tileEnd; r++) {
                    out[b * outStride + r] = dot(r, x, xOff + b * xStride);
                }
            }
        }
    }

    /**
     * Whether this matrix has an exact vectorized row decode ({@link #decodeRow}) and a {@link
     * #dot} that follows {@link TiledMatMul}'s contract (the values of {@link #dequantizeRow}, bit
     * for bit, multiplied chunk by chunk into two alternating lane accumulators). Then batches go
     * through the tiled kernel. False by default.
     */
    protected boolean decodesRows() {
        return false;
    }

    /**
     * Whether {@link TiledMatMul} should decode this matrix in blocks of many rows even for small
     * batches, instead of three rows at a time. False by default; true where measured faster.
     */
    protected boolean decodesInLongRuns() {
        return false;
    }

    /** Fast decode of one whole row into {@code out[off .. off+cols)}; see {@link #decodeRange}. */
    final void decodeRow(int row, float[] out, int off) {
        decodeRange(row, 0, cols, out, off);
    }

    /**
     * Fast decode of values {@code [first, first+count)} of a row (whole blocks, and whole short
     * vectors for F16) into {@code out[off ..]}: bit for bit {@link #dequantizeRow}. Only for types
     * that {@link #decodesRows}.
     */
    protected void decodeRange(int row, int first, int count, float[] out, int off) {
        throw new UnsupportedOperationException(type() + " has no fast row decode");
    }

    /** Creates the matrix class for {@code type}; unsupported types are refused by name. */
    public static WeightMatrix of(GgmlType type, MemorySegment data, int rows, int cols) {
        return switch (type) {
            case F32 -> new F32Matrix(data, rows, cols);
            case F16 -> new F16Matrix(data, rows, cols);
            case BF16 -> new BF16Matrix(data, rows, cols);
            case Q8_0 -> new Q8_0Matrix(data, rows, cols);
            case Q4_0 -> new Q4_0Matrix(data, rows, cols);
            case Q4_1 -> new Q4_1Matrix(data, rows, cols);
            case Q5_0 -> new Q5_0Matrix(data, rows, cols);
            case Q5_1 -> new Q5_1Matrix(data, rows, cols);
            case Q2_K -> new Q2_KMatrix(data, rows, cols);
            case Q3_K -> new Q3_KMatrix(data, rows, cols);
            case Q4_K -> new Q4_KMatrix(data, rows, cols);
            case Q5_K -> new Q5_KMatrix(data, rows, cols);
            case Q6_K -> new Q6_KMatrix(data, rows, cols);
            default -> throw new UnsupportedWeightTypeException(type);
        };
    }
}
