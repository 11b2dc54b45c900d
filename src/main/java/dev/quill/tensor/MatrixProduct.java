package dev.quill.tensor;

/**
 * One reusable matrix product call: holds the arguments of the product under way, so that a
 * forward pass hands the pool the same body object for every product and allocates nothing (a
 * capturing lambda would be a new object per call). Not thread-safe: one product at a time, like
 * the pool it runs on.
 */
public final class MatrixProduct implements ThreadPool.RangeBody {
    private WeightMatrix matrix;
    private float[] x;
    private int xOff;
    private int xStride;
    private int batch;
    private float[] out;
    private int outOff;
    private int outStride;
    /** A lone vector's copy at {@link TiledMatMul#ALIGNED}, grown once per row width. */
    private float[] alignedInput = new float[0];

    /** {@code out[outOff + r] = row r · x[xOff ..]} for every row of {@code matrix}. */
    public void matVec(WeightMatrix matrix, float[] x, int xOff, float[] out, int outOff, ThreadPool pool) {
        run(matrix, x, xOff, 0, 1, out, outOff, 0, pool);
    }

    /** {@code out[b*outStride + r] = row r · x[b*xStride ..]}; see {@link WeightMatrix#matMul}. */
    public void matMul(WeightMatrix matrix, float[] x, int xStride, int batch, float[] out, int outStride, ThreadPool pool) {
        run(matrix, x, 0, xStride, batch, out, 0, outStride, pool);
    }

    private void run(WeightMatrix matrix, float[] x, int xOff, int xStride, int batch, float[] out, int outOff, int outStride,
            ThreadPool pool) {
        this.matrix = matrix;
        // Every row's dot reads the vector again: copied once to aligned memory, decode ran
        // 6-10% faster (2 threads, Q8_0 and Q4_0 files, with the launcher's object alignment).
        if (batch == 1) {
            int cols = matrix.cols();
            if (alignedInput.length < TiledMatMul.ALIGNED + cols) {
                alignedInput = new float[TiledMatMul.ALIGNED + cols];
            }
            System.arraycopy(x, xOff, alignedInput, TiledMatMul.ALIGNED, cols);
            x = alignedInput;
            xOff = TiledMatMul.ALIGNED;
        }
        this.x = x;
        this.xOff = xOff;
        this.xStride = xStride;
        this.batch = batch;
        this.out = out;
        this.outOff = outOff;
        this.outStride = outStride;
        try {
            pool.parallelFor(matrix.rows(), this);
        } finally {
            // Nothing of the call stays reachable from a long-lived object.
            this.matrix = null;
            this.x = null;
            this.out = null;
        }
    }

    @Override
    public void run(int from, int to) {
        if (batch == 1) {
            for (int r = from; r < to; r++) {
                out[outOff + r] = matrix.dot(r, x, xOff);
            }
        } else {
            matrix.matMulRows(x, xStride, batch, out, outStride, from, to);
        }
    }
}
