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
    /** The inputs' copy, from {@link TiledMatMul#ALIGNED}, grown once to the largest batch. */
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
        // Every row reads the inputs again: copied once, one after another, to rows that start on
        // a cache line (TiledMatMul.ALIGNED), the kernels ran faster (prefill 20-29%, decode 6-10%,
        // 2 threads, with the launcher's object alignment).
        int cols = matrix.cols();
        if (alignedInput.length < TiledMatMul.ALIGNED + batch * cols) {
            alignedInput = new float[TiledMatMul.ALIGNED + batch * cols];
        }
        for (int b = 0; b < batch; b++) {
            System.arraycopy(x, xOff + b * xStride, alignedInput, TiledMatMul.ALIGNED + b * cols, cols);
        }
        this.x = alignedInput;
        this.xOff = TiledMatMul.ALIGNED;
        this.xStride = cols;
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
            matrix.matMulRows(x, xOff, xStride, batch, out, outStride, from, to);
        }
    }
}
