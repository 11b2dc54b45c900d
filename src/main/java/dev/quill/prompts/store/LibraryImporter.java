package dev.quill.prompts.store;

import dev.quill.prompts.Persona;
import dev.quill.prompts.PromptTemplate;
import dev.quill.prompts.format.LibraryLoader;
import dev.quill.prompts.format.PromptFileWriter;
import dev.quill.prompts.format.PromptLibrary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a library folder into the store and back. Import is idempotent: a file whose content
 * equals its template's latest version makes no version, so it can run at every start. Export
 * writes each template's latest version and every persona in the file format, so a folder
 * exported and imported again changes nothing.
 */
public final class LibraryImporter {
    /** What an import did; {@code skipped} lists templates it could not store, each with the reason. */
    public record Report(int created, int updated, int unchanged, int personasChanged, List<String> skipped) {
        public Report {
            skipped = List.copyOf(skipped);
        }
    }

    private final PromptStore store;
    private final LibraryLoader loader = new LibraryLoader();

    public LibraryImporter(PromptStore store) {
        this.store = store;
    }

    /**
     * Imports every template and persona of {@code dir}; the whole folder is checked first
     * ({@link LibraryLoader}), so a folder with a broken file imports nothing.
     */
    public Report importDir(Path dir) throws IOException {
        PromptLibrary library = loader.load(dir);
        String where = dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
        int personas = 0;
        // Personas first: templates name them.
        for (Persona p : library.personas().values()) {
            if (store.savePersona(p)) {
                personas++;
            }
        }
        int created = 0;
        int updated = 0;
        int unchanged = 0;
        List<String> skipped = new ArrayList<>();
        for (PromptTemplate t : library.templates().values()) {
            try {
                Saved s = store.save(t, "imported from " + where + "/" + t.name() + ".md");
                if (!s.created()) {
                    unchanged++;
                } else if (s.version().number() == 1) {
                    created++;
                } else {
                    updated++;
                }
            } catch (VersionConflictException e) {
                // An archived prompt keeps its history; the file is reported, not forced in.
                skipped.add(t.name() + ": " + e.getMessage());
            }
        }
        return new Report(created, updated, unchanged, personas, skipped);
    }

    /** Writes the latest version of every prompt (archived ones too) and every persona under {@code dir}. */
    public int exportTo(Path dir) throws IOException {
        PromptFileWriter writer = new PromptFileWriter();
        int files = 0;
        for (PromptSummary s : store.list("", true)) {
            write(dir.resolve(s.name() + ".md"), writer.write(store.resolve(s.name(), null).template()));
            files++;
        }
        for (Persona p : store.personas()) {
            write(dir.resolve(LibraryLoader.PERSONAS_DIR).resolve(p.name() + ".md"), writer.write(p));
            files++;
        }
        return files;
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
