package dev.quill.engine;

import dev.quill.tokenizer.ReferenceTokenizer;
import dev.quill.tokenizer.Tokenizer;
import dev.quill.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every tokenizer the inspector can show: each served model's (read from its GGUF header, so
 * looking at a tokenizer never loads weights), vocabulary-only GGUF files configured for it, and
 * the reference tokenizers shipped with Quill. Names are model ids (or aliases), file ids (the
 * file name without {@code .gguf}) and the references' ids; a reference wins over a model of the
 * same name (that model's tokenizer is still reachable through its alias or {@code /api/tokenize}'s
 * {@code model}).
 *
 * <p>Thread-safe. Tokenizers read from files are kept until the file changes.
 */
public final class TokenizerCatalog {
    /** What a listed tokenizer is. */
    public enum Source {
        /** A served model's own tokenizer. */
        MODEL,
        /** A GGUF file configured only for its tokenizer (e.g. llama.cpp's vocab-only files). */
        FILE,
        /** Shipped with Quill: OpenAI's tiktoken encodings. */
        REFERENCE
    }

    /**
     * One tokenizer, as the inspector's picker shows it.
     *
     * @param error why a model's or file's tokenizer cannot be read, or null (not known until it is read)
     */
    public record Entry(String id, Source source, String label, String error) {
    }

    /** A tokenizer ready to use, with the id it is listed under. */
    public record Resolved(String id, Source source, Tokenizer tokenizer) {
    }

    private record Cached(long size, long modified, Tokenizer tokenizer) {
    }

    private final ModelRegistry models;
    private final Map<String, Path> files;
    private final Map<Path, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param models     the served models, or null for none
     * @param extraFiles GGUF files offered for their tokenizer alone, listed under their file name
     *                   without {@code .gguf}
     */
    public TokenizerCatalog(ModelRegistry models, List<Path> extraFiles) {
        this.models = models;
        Map<String, Path> f = new LinkedHashMap<>();
        for (Path p : extraFiles) {
            f.putIfAbsent(ModelRegistry.idOf(p), p);
        }
        this.files = Map.copyOf(f);
    }

    /** Models first (by id), then files, then the references. */
    public List<Entry> list() {
        List<Entry> out = new ArrayList<>();
        if (models != null) {
            for (ModelRegistry.Entry m : models.list()) {
                if (ReferenceTokenizer.find(m.id()).isPresent() || files.containsKey(m.id())) {
                    continue;
                }
                ModelInfo info = m.info();
                String label = info == null || info.architecture() == null ? m.id()
                        : m.id() + " (" + info.architecture() + ", " + info.weightType() + ")";
                out.add(new Entry(m.id(), Source.MODEL, label, info == null ? m.loadError() : info.error()));
            }
        }
        files.keySet().stream().sorted().forEach(id -> out.add(new Entry(id, Source.FILE, id + " (vocabulary file)",
                Files.isRegularFile(files.get(id)) ? null : "file not found: " + files.get(id))));
        for (ReferenceTokenizer.Kind k : ReferenceTokenizer.Kind.values()) {
            out.add(new Entry(k.id(), Source.REFERENCE, k.label(), null));
        }
        return out;
    }

    /** The ids {@link #list()} gives, for error messages. */
    public List<String> ids() {
        return list().stream().map(Entry::id).toList();
    }

    /**
     * The tokenizer with this name, or empty when there is none.
     *
     * @throws ModelUnavailableException when the model's or file's tokenizer cannot be read
     */
    public Optional<Resolved> find(String name) {
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        Optional<ReferenceTokenizer.Kind> ref = ReferenceTokenizer.find(name);
        if (ref.isPresent()) {
            return Optional.of(new Resolved(ref.get().id(), Source.REFERENCE, ReferenceTokenizer.of(ref.get())));
        }
        Path file = files.get(name);
        if (file != null) {
            return Optional.of(new Resolved(name, Source.FILE, read(name, file)));
        }
        if (models == null) {
            return Optional.empty();
        }
        Optional<ModelRegistry.Entry> model = models.find(name);
        if (model.isEmpty()) {
            return Optional.empty();
        }
        ModelRegistry.Entry m = model.get();
        // A loaded model already has its tokenizer; otherwise only the header is read.
        for (ServedModel served : models.loaded()) {
            if (served.id().equals(m.id())) {
                return Optional.of(new Resolved(m.id(), Source.MODEL, served.tokenizer()));
            }
        }
        return Optional.of(new Resolved(m.id(), Source.MODEL, read(m.id(), m.path())));
    }

    private Tokenizer read(String id, Path path) {
        long size;
        long modified;
        try {
            size = Files.size(path);
            modified = Files.getLastModifiedTime(path).toMillis();
        } catch (IOException e) {
            throw new ModelUnavailableException(id, "cannot read the tokenizer of '" + id + "': " + path + " is not readable", e);
        }
        Cached c = cache.get(path);
        if (c != null && c.size == size && c.modified == modified) {
            return c.tokenizer;
        }
        try {
            Tokenizer t = Tokenizers.fromGguf(path);
            cache.put(path, new Cached(size, modified, t));
            return t;
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ModelUnavailableException(id, "cannot read the tokenizer of '" + id + "': " + why, e);
        }
    }
}
