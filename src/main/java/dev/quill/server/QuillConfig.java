package dev.quill.server;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** The server's {@code quill.*} configuration; every key is documented with its default in the README. */
@ConfigMapping(prefix = "quill")
public interface QuillConfig {
    /** Every {@code *.gguf} in this directory is served; files added later are picked up. */
    @WithDefault("models")
    String modelsDir();

    /** Further model files ({@code quill serve --model FILE}). */
    Optional<List<String>> modelFiles();

    /** The model used when a request names none; default: the first --model, else the first file by name. */
    Optional<String> defaultModel();

    /** Load the default model at start instead of on its first request. */
    @WithDefault("false")
    boolean preload();

    /** When set, /v1 and /api need {@code Authorization: Bearer <one of these>}. */
    Optional<List<String>> apiKeys();

    /** Requests that may wait per model for a sequence slot or KV budget; more get 429. */
    @WithDefault("16")
    int queueSize();

    /** Sequences per model decoded together in each step (continuous batching). */
    @WithDefault("8")
    int maxSequences();

    /** KV cache positions per model, shared by its sequences and prefix cache; 0 = max(context, 16384). */
    @WithDefault("0")
    int kvBudget();

    /** Longest wait in a model's queue; then 503. */
    @WithDefault("120s")
    java.time.Duration queueTimeout();

    /** Finished sequences per model whose KV is kept for requests that start the same way; 0 = off. */
    @WithDefault("32")
    int prefixCacheEntries();

    /** On shutdown (SIGTERM), how long running requests may take to finish before they are ended. */
    @WithDefault("30s")
    java.time.Duration shutdownTimeout();

    /** Stream events buffered for a client that reads slower than the model writes; past that its request is cancelled. */
    @WithDefault("4096")
    int streamBufferEvents();

    /** KV cache length per sequence; 0 = the model's trained context, at most 4096. */
    @WithDefault("0")
    int contextLength();

    /** Compute threads per model; 0 = all processors. */
    @WithDefault("0")
    int threads();

    /** Prompt tokens processed per forward step. */
    @WithDefault("64")
    int batchSize();

    /** Largest request body; larger ones get 413. */
    @WithDefault("2M")
    MemorySize maxBodySize();

    /** Where the embedded H2 prompt store lives ({@code <data-dir>/quill.mv.db}). */
    @WithDefault("./data")
    String dataDir();

    /** The folder of template and persona files imported into the store at start. */
    @WithDefault("prompts")
    String promptsDir();

    /** Import {@link #promptsDir()} at start (a new version only for files whose content changed). */
    @WithDefault("true")
    boolean importPrompts();

    /** Log one line per HTTP request (method, path, status, duration) with its request id. */
    @WithDefault("true")
    boolean requestLog();

    /** The prompt store's database. */
    Db db();

    interface Db {
        /** {@code h2} (embedded file, the default) or {@code postgresql} (needs {@code url}). */
        @WithDefault("h2")
        String kind();

        /** JDBC URL of the PostgreSQL database, e.g. {@code jdbc:postgresql://localhost:5432/quill}. */
        Optional<String> url();

        Optional<String> user();

        Optional<String> password();
    }

    // Two maps are read by prefix in ModelService, since their keys are model names:
    // quill.models.<alias>=<model id> and quill.chat-template.<model id>=<Jinja source or file.jinja>.
}
