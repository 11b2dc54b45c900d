package dev.quill.server;

import dev.quill.prompts.PromptException;
import dev.quill.prompts.store.LibraryImporter;
import dev.quill.prompts.store.PromptStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Imports the prompt folder ({@code quill.prompts-dir}) into the store at start. A broken folder
 * is logged and skipped, not fatal: the server and the versions already stored stay usable.
 */
@ApplicationScoped
public class PromptLibraryImport {
    private static final Logger LOG = Logger.getLogger(PromptLibraryImport.class);

    private final PromptStore store;
    private final QuillConfig config;

    public PromptLibraryImport(PromptStore store, QuillConfig config) {
        this.store = store;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.importPrompts()) {
            return;
        }
        Path dir = Path.of(config.promptsDir());
        if (!Files.isDirectory(dir)) {
            LOG.infof("prompt folder %s not found; nothing imported", dir.toAbsolutePath().normalize());
            return;
        }
        try {
            importDir(dir);
        } catch (IOException | PromptException e) {
            LOG.errorf("prompt folder %s not imported: %s", dir, e.getMessage());
        }
    }

    /** Imports {@code dir} now (also used by tests, to import twice without a restart). */
    public LibraryImporter.Report importDir(Path dir) throws IOException {
        LibraryImporter.Report r = new LibraryImporter(store).importDir(dir);
        LOG.infof("prompts imported from %s: %d new, %d changed, %d unchanged, %d personas changed%s", dir, r.created(),
                r.updated(), r.unchanged(), r.personasChanged(), r.skipped().isEmpty() ? "" : "; skipped: " + r.skipped());
        return r;
    }
}
