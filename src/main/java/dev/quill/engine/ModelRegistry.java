package dev.quill.engine;

import dev.quill.model.Model;
import dev.quill.tokenizer.Tokenizer;
import dev.quill.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The models a server offers: every {@code *.gguf} in the models directory (looked at again on
 * each lookup, so a file dropped in is served without a restart) plus the files named one by one.
 * A model is loaded on first use and stays loaded until {@link #unload}; a file that fails to load
 * fails the requests that need it with {@link ModelUnavailableException} and nothing else.
 *
 * <p>Thread-safe.
 */
public final class ModelRegistry implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelRegistry.class.getName());
    private static final String SUFFIX = ".gguf";

    /** The hint every "no model" error carries. */
    public static final String HOW_TO_ADD_A_MODEL = "add one with `quill pull ORG/REPO FILE.gguf` or copy a .gguf file"
            + " into the models directory (%s); it is picked up without a restart";

    private final RegistryOptions options;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A model id and what is known about its file; loading is guarded by the slot's monitor. */
    private static final class Slot {
        final String id;
        final Path path;
        volatile ModelInfo info;
        volatile ServedModel served;
        /** The last load failure and the file state it happened with, to avoid retrying an unchanged file. */
        volatile String failure;
        long failedSize = -1;
        long failedModified = -1;

        Slot(String id, Path path) {
            this.id = id;
            this.path = path;
        }
    }

    /** A listed model: its id, file, aliases and whether it is loaded now. */
    public record Entry(String id, Path path, List<String> aliases, ModelInfo info, boolean loaded, String loadError) {
    }

    public ModelRegistry(RegistryOptions options) {
        this.options = options;
        rescan();
    }

    public RegistryOptions options() {
        return options;
    }

    /** All models, by id; re-reads the models directory. */
    public List<Entry> list() {
        rescan();
        List<Entry> out = new ArrayList<>();
        for (Slot s : sortedSlots()) {
            out.add(entry(s));
        }
        return out;
    }

    /** The model with this id or alias, re-reading the models directory if it is not known yet. */
    public Optional<Entry> find(String idOrAlias) {
        Slot s = slot(idOrAlias);
        return s == null ? Optional.empty() : Optional.of(entry(s));
    }

    /** The id of the model used when a request names none, or empty when there is no model at all. */
    public Optional<String> defaultModelId() {
        rescan();
        if (options.defaultModel() != null) {
            Slot s = lookup(options.defaultModel());
            return Optional.of(s != null ? s.id : options.defaultModel());
        }
        for (Path file : options.modelFiles()) {
            String id = idOf(file);
            if (slots.containsKey(id)) {
                return Optional.of(id);
            }
        }
        return sortedSlots().stream().findFirst().map(s -> s.id);
    }

    /** The loaded default model, if it is loaded; does not load it. */
    public Optional<ServedModel> loadedDefault() {
        return defaultModelId().map(slots::get).map(s -> s.served);
    }

    /**
     * The model to serve a request, loading it if needed.
     *
     * @param idOrAlias the model the request names, or null for the default model
     * @throws UnknownModelException when no model has that id or alias
     * @throws ModelUnavailableException when there is no model at all, or the file fails to load
     */
    public ServedModel acquire(String idOrAlias) {
        if (closed) {
            throw new ShutdownException("the server is shutting down and takes no new requests");
        }
        Slot slot;
        if (idOrAlias == null) {
            Optional<String> id = defaultModelId();
            if (id.isEmpty()) {
                throw new ModelUnavailableException(null, "no model is installed: " + howToAdd());
            }
            slot = slots.get(id.get());
            if (slot == null) {
                throw new ModelUnavailableException(id.get(), "the default model '" + id.get()
                        + "' (quill.default-model) is not among the models; available: " + String.join(", ", ids()));
            }
        } else {
            slot = slot(idOrAlias);
            if (slot == null) {
                throw unknown(idOrAlias);
            }
        }
        ServedModel served = slot.served;
        return served != null ? served : load(slot);
    }

    /** Unloads a model (frees its mapping and KV cache); it loads again on the next request. Returns whether it was loaded. */
    public boolean unload(String idOrAlias) {
        Slot slot = slot(idOrAlias);
        if (slot == null) {
            throw unknown(idOrAlias);
        }
        ServedModel served;
        synchronized (slot) {
            served = slot.served;
            slot.served = null;
        }
        if (served != null) {
            served.close();
            return true;
        }
        return false;
    }

    /** Every loaded model. */
    public List<ServedModel> loaded() {
        List<ServedModel> out = new ArrayList<>();
        for (Slot s : sortedSlots()) {
            ServedModel m = s.served;
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * Graceful shutdown: every loaded model stops taking requests, lets those running finish until
     * the deadline (all models at once), then ends the rest with a shutdown error.
     *
     * @return whether everything finished in time
     */
    /** Every loaded model refuses new requests from now on (503 shutting_down); running ones go on. */
    public void stopAccepting() {
        closed = true;
        for (ServedModel m : loaded()) {
            m.worker().stopAccepting();
        }
    }

    public boolean drain(java.time.Duration deadline) {
        List<ServedModel> models = loaded();
        List<Thread> drains = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean allDone = new java.util.concurrent.atomic.AtomicBoolean(true);
        for (ServedModel m : models) {
            drains.add(Thread.ofPlatform().name("quill-drain-" + m.id()).start(() -> {
                if (!m.worker().drain(deadline)) {
                    allDone.set(false);
                }
            }));
        }
        for (Thread t : drains) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return allDone.get();
    }

    @Override
    public void close() {
        closed = true;
        for (Slot s : slots.values()) {
            ServedModel served;
            synchronized (s) {
                served = s.served;
                s.served = null;
            }
            if (served != null) {
                served.close();
            }
        }
    }

    private String howToAdd() {
        return HOW_TO_ADD_A_MODEL.formatted(options.modelsDir().toAbsolutePath().normalize());
    }

    private UnknownModelException unknown(String name) {
        List<String> ids = ids();
        String message = ids.isEmpty()
                ? "model '" + name + "' does not exist: no model is installed; " + howToAdd()
                : "model '" + name + "' does not exist; available: " + String.join(", ", ids);
        return new UnknownModelException(name, message);
    }

    private List<String> ids() {
        return sortedSlots().stream().map(s -> s.id).toList();
    }

    private ServedModel load(Slot slot) {
        synchronized (slot) {
            if (slot.served != null) {
                return slot.served;
            }
            long size = -1;
            long modified = -1;
            try {
                size = Files.size(slot.path);
                modified = Files.getLastModifiedTime(slot.path).toMillis();
            } catch (IOException e) {
                throw new ModelUnavailableException(slot.id, "model '" + slot.id + "' failed to load: cannot read "
                        + slot.path + " (" + e.getMessage() + ")", e);
            }
            if (slot.failure != null && size == slot.failedSize && modified == slot.failedModified) {
                throw new ModelUnavailableException(slot.id, slot.failure);
            }
            Model model = null;
            try {
                long t0 = System.nanoTime();
                model = Model.load(slot.path, options.modelOptions());
                Tokenizer tokenizer = Tokenizers.fromGguf(model.file().metadata());
                ChatPromptFormatter formatter = ChatPromptFormatter.forTemplate(chatTemplateSource(slot, model));
                ModelInfo info = ModelInfo.read(slot.path);
                ServedModel served = new ServedModel(slot.id, info, model, tokenizer, formatter, options.scheduling());
                slot.info = info;
                slot.failure = null;
                slot.served = served;
                LOG.info(() -> "loaded model " + slot.id + " from " + slot.path + " in "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms (context " + served.contextLength() + ")");
                return served;
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                if (model != null) {
                    model.close();
                }
                String reason = e.getMessage() == null ? e.toString() : e.getMessage();
                slot.failure = "model '" + slot.id + "' failed to load: " + reason;
                slot.failedSize = size;
                slot.failedModified = modified;
                LOG.log(Level.WARNING, slot.failure);
                throw new ModelUnavailableException(slot.id, slot.failure, e);
            }
        }
    }

    private String chatTemplateSource(Slot slot, Model model) {
        String override = options.chatTemplates().get(slot.id);
        if (override != null) {
            return override;
        }
        var md = model.file().metadata();
        return md.contains("tokenizer.chat_template") ? md.getString("tokenizer.chat_template", null) : null;
    }

    private Entry entry(Slot s) {
        ModelInfo info = s.info;
        if (info == null) {
            info = ModelInfo.read(s.path);
            s.info = info;
        }
        List<String> aliases = new ArrayList<>();
        options.aliases().forEach((alias, target) -> {
            if (target.equals(s.id)) {
                aliases.add(alias);
            }
        });
        aliases.sort(Comparator.naturalOrder());
        String error = s.failure != null ? s.failure : info.error();
        return new Entry(s.id, s.path, aliases, info, s.served != null, error);
    }

    private Slot slot(String idOrAlias) {
        Slot s = lookup(idOrAlias);
        if (s == null) {
            rescan();
            s = lookup(idOrAlias);
        }
        return s;
    }

    private Slot lookup(String idOrAlias) {
        Slot s = slots.get(idOrAlias);
        if (s == null) {
            String target = options.aliases().get(idOrAlias);
            if (target != null) {
                s = slots.get(target);
            }
        }
        return s;
    }

    private List<Slot> sortedSlots() {
        return slots.values().stream().sorted(Comparator.comparing(s -> s.id)).toList();
    }

    /** Brings the slots in line with the files: new files appear, deleted files that are not loaded go. */
    private synchronized void rescan() {
        Map<String, Path> found = new LinkedHashMap<>();
        Path dir = options.modelsDir();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
                for (Path f : files) {
                    if (Files.isRegularFile(f)) {
                        found.putIfAbsent(idOf(f), f);
                    }
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot list the models directory " + dir + ": " + e.getMessage());
            }
        }
        // Files named explicitly win over a same-named file in the directory.
        for (Path f : options.modelFiles()) {
            found.put(idOf(f), f);
        }
        for (var e : found.entrySet()) {
            Slot existing = slots.get(e.getKey());
            if (existing == null || (!existing.path.equals(e.getValue()) && existing.served == null)) {
                slots.put(e.getKey(), new Slot(e.getKey(), e.getValue()));
            }
        }
        for (Slot s : List.copyOf(slots.values())) {
            if (!found.containsKey(s.id) && s.served == null) {
                slots.remove(s.id);
            }
        }
    }

    /** A model's id: its file name without {@code .gguf}. */
    public static String idOf(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(SUFFIX) ? name.substring(0, name.length() - SUFFIX.length()) : name;
    }
}
