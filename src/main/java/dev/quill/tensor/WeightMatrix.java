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
     */
    public void matVec(float[] x, int xOff, float[] out, int outOff, ThreadPool pool) {
        pool.parallelFor(rows, (from, to) -> {
            for (int r = from; r < to; r++) {
                out[outOff + r] = dot(r, x, xOff);
            }
        });
    }

    /** Vectors that one {@link #accumulateMany} call takes at most. */
    static final int MANY = 4;

    /**
     * Rows per tile of {@link #matMul}: a tile's weights are read once per group of {@link #MANY}
     * vectors, and each group's vectors stay in cache across the tile's rows. 16 rows of the
     * largest rows in use (8192 Q8_0 values, ~8.7 KB) stay well inside L2.
     */
    static final int ROW_TILE = 16;

    /** Per thread, where {@link #accumulateMany} leaves its lane sums (allocated once per thread). */
    private static final ThreadLocal<float[]> LANE_SUMS = ThreadLocal.withInitial(() -> new float[MANY * Simd.LANES]);

    /**
     * Batched product for {@code batch} activation vectors: {@code out[b*outStride + r] = row r ·
     * x[b*xStride ..]}. Rows are split across the pool's threads; each thread walks its rows in
     * tiles and, per tile, the vectors in groups of {@link #MANY}. The arithmetic for one vector is
     * exactly that of {@link #dot}, so results do not depend on the batch (its size, or the other
     * vectors in it).
     */
    public void matMul(float[] x, int xStride, int batch, float[] out, int outStride, ThreadPool pool) {
        if (batch == 1) {
            matVec(x, 0, out, 0, pool);
            return;
        }
        pool.parallelFor(rows, (from, to) -> matMulRows(x, xStride, batch, out, outStride, from, to));
    }

    /** {@link #matMul} for rows [from, to), on the calling thread; allocates nothing. */
    final void matMulRows(float[] x, int xStride, int batch, float[] out, int outStride, int from, int to) {
        float[] laneSums = LANE_SUMS.get();
        for (int tile = from; tile < to; tile += ROW_TILE) {
            int tileEnd = Math.min(to, tile + ROW_TILE);
            for (int b = 0; b < batch; b += MANY) {
                int count = Math.min(MANY, batch - b);
                for (int r = tile; r < tileEnd; r++) {
                    dotMany(r, x, b * xStride, xStride, count, out, b * outStride + r, outStride, laneSums);
                }
            }
        }
    }

    /**
     * For each {@code i < count} (1 to {@link #MANY}): {@code out[outOff + i*outStride] = dot(row,
     * x, xOff + i*xStride)}, bit for bit: through {@link #accumulateMany} where the type has it,
     * else one {@link #dot} per vector. {@code laneSums} holds {@code MANY * Simd.LANES} floats.
     */
    final void dotMany(int row, float[] x, int xOff, int xStride, int count, float[] out, int outOff, int outStride,
            float[] laneSums) {
        if (count > 1 && accumulateMany(row, x, xOff, xStride, count, laneSums)) {
            for (int i = 0; i < count; i++) {
                out[outOff + i * outStride] = Simd.sumLanes(Simd.loadX(laneSums, i * Simd.LANES));
            }
            return;
        }
        for (int i = 0; i < count; i++) {
            out[outOff + i * outStride] = dot(row, x, xOff + i * xStride);
        }
    }

    /**
     * The multi-vector kernel, for weight types that have one: for each {@code i < count} (2 to
     * {@link #MANY}), writes to {@code laneSums[i*LANES ..+LANES)} the lane accumulator whose
     * {@link Simd#sumLanes} is bit for bit {@code dot(row, x, xOff + i*xStride)}, decoding each
     * weight block once for all the vectors. Returns false when the type has no such kernel (this
     * default).
     *
     * <p>The final lane sums are left to the caller because C2 stops inlining once a method's
     * graph is big enough (see {@link Simd}): a kernel that also summed four vectors' lanes got
     * there, and the sums it no longer inlined boxed their vectors.
     */
    protected boolean accumulateMany(int row, float[] x, int xOff, int xStride, int count, float[] laneSums) {
        return false;
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
