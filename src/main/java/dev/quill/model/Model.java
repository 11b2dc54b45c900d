package dev.quill.model;

import dev.quill.gguf.GgufFile;
import dev.quill.tensor.ThreadPool;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A loaded model: the memory-mapped file, its configuration and weights, and a compute pool.
 * Closing it unmaps the file and stops the pool.
 */
public final class Model implements AutoCloseable {
    private final GgufFile file;
    private final ModelConfig config;
    private final ModelWeights weights;
    private final ThreadPool pool;
    private final int contextLength;
    private final ModelOptions options;

    private Model(GgufFile file, ModelConfig config, ModelWeights weights, ThreadPool pool, int contextLength,
            ModelOptions options) {
        this.file = file;
        this.config = config;
        this.weights = weights;
        this.pool = pool;
        this.contextLength = contextLength;
        this.options = options;
    }

    /** Maps {@code path} and checks every tensor; errors name the problem. */
    public static Model load(Path path, ModelOptions options) throws IOException {
        GgufFile file = GgufFile.open(path);
        try {
            return fromFile(file, options);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Builds a model over an already opened file; the model owns it from then on. */
    public static Model fromFile(GgufFile file, ModelOptions options) {
        var embedding = file.tensor("token_embd.weight");
        if (embedding == null) {
            // Still let the architecture check speak first: it gives the more useful message.
            ModelConfig.fromGguf(file.metadata(), 1);
            throw new ModelLoadException("tensor token_embd.weight is missing from " + file.path().getFileName());
        }
        if (embedding.rowCount() > Integer.MAX_VALUE || embedding.dims().length != 2) {
            throw new ModelLoadException("tensor token_embd.weight has shape " + embedding.shape() + ", expected 2 dimensions");
        }
        ModelConfig config = ModelConfig.fromGguf(file.metadata(), (int) embedding.rowCount());
        int context = options.resolvedContext(config.trainedContextLength());
        ModelWeights weights = ModelWeights.load(file, config, context);
        ThreadPool pool = new ThreadPool(options.resolvedThreads());
        return new Model(file, config, weights, pool, context, options);
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    public GgufFile file() {
        return file;
    }

    public ThreadPool pool() {
        return pool;
    }

    /** Context length sequences of this model get by default. */
    public int contextLength() {
        return contextLength;
    }

    public ModelOptions options() {
        return options;
    }

    /** A KV cache for one sequence, sized for {@link #contextLength()}. */
    public KvCache newCache() {
        return new KvCache(config, contextLength);
    }

    /** A forward pass with its own scratch buffers (one per concurrently running step). */
    public Transformer newTransformer() {
        return new Transformer(config, weights, pool, options.maxBatch(), contextLength);
    }

    /** Total parameters of the matrices and vectors in the file. */
    public long parameterCount() {
        long n = 0;
        for (var t : file.tensors()) {
            n += t.elementCount();
        }
        return n;
    }

    @Override
    public void close() {
        pool.close();
        file.close();
    }
}
