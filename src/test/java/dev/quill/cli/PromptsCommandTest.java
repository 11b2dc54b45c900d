package dev.quill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.prompts.format.LibraryLoader;
import dev.quill.prompts.format.PromptLibrary;
import dev.quill.prompts.store.LibraryImporter;
import dev.quill.prompts.store.PromptStore;
import dev.quill.prompts.store.StoreSchema;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptsCommandTest {
    @TempDir
    Path tmp;

    @Test
    void exportWritesTheLibraryBackAndReimportingItChangesNothing() throws Exception {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + tmp.resolve("data") + "/quill");
        StoreSchema.migrate(ds);
        PromptStore store = new PromptStore(ds);
        LibraryImporter importer = new LibraryImporter(store);
        importer.importDir(Path.of("prompts"));

        Path out = tmp.resolve("export");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status = new PromptsCommand(Map.of()).run(new String[] {"export", out.toString(), "--data-dir", tmp.resolve("data").toString()},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertEquals(0, status, stderr.toString(StandardCharsets.UTF_8));

        PromptLibrary shipped = new LibraryLoader().load(Path.of("prompts"));
        PromptLibrary exported = new LibraryLoader().load(out);
        assertEquals(shipped.templates(), exported.templates());
        assertEquals(shipped.personas(), exported.personas());
        LibraryImporter.Report again = importer.importDir(out);
        assertEquals(0, again.created() + again.updated() + again.personasChanged());
    }

    @Test
    void aMissingStoreIsAnErrorAndCreatesNothing() {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Path data = tmp.resolve("nowhere");
        int status = Quill.run(new String[] {"prompts", "export", tmp.resolve("x").toString(), "--data-dir", data.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
        assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("cannot open the prompt store"), stderr.toString(StandardCharsets.UTF_8));
        assertTrue(Files.notExists(data.resolve("quill.mv.db")));
    }
}
