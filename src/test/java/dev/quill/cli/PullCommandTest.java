package dev.quill.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.pull.StandInServer;
import dev.quill.pull.TinyGguf;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PullCommandTest {
    private static final String PATH = "/org/tiny-GGUF/resolve/main/tiny.gguf";

    @TempDir
    Path modelsDir;
    private StandInServer hub;
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
    private final byte[] model = TinyGguf.bytes();

    @BeforeEach
    void start() throws Exception {
        hub = new StandInServer();
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private int pull(String... args) throws Exception {
        Map<String, String> env = Map.of("QUILL_HUB_URL", hub.base().toString(), "HF_TOKEN", "hf_cli");
        return new PullCommand(env).run(args, out, err);
    }

    @Test
    void pullsVerifiesAndSaysWhatItGot() throws Exception {
        hub.on(PATH, StandInServer.file(model, "\"" + TinyGguf.sha256(model) + "\"", true));

        int status = pull("org/tiny-GGUF", "tiny.gguf", "--models-dir", modelsDir.toString(), "--progress", "lines");

        assertEquals(0, status, err());
        assertArrayEquals(model, Files.readAllBytes(modelsDir.resolve("tiny.gguf")));
        assertTrue(out().startsWith("saved " + modelsDir.resolve("tiny.gguf") + " ("), out());
        assertTrue(out().contains("sha256 " + TinyGguf.sha256(model) + ", verified)"), out());
        assertTrue(err().contains("100% "), err());
        assertTrue(err().contains("Tiny Test: architecture llama"), err());
        assertTrue(err().contains("try it: quill generate --model " + modelsDir.resolve("tiny.gguf")), err());
        assertEquals("Bearer hf_cli", hub.requests().getFirst().header("Authorization"));
    }

    @Test
    void skipsAFileThatIsThere() throws Exception {
        Files.write(modelsDir.resolve("tiny.gguf"), model);
        assertEquals(0, pull("org/tiny-GGUF", "tiny.gguf", "--models-dir", modelsDir.toString()));
        assertTrue(out().contains("is already there"), out());
        assertTrue(out().contains("use --force"), out());
        assertTrue(hub.requests().isEmpty());
    }

    @Test
    void failsWithTheReasonAndStatusOne() throws Exception {
        assertEquals(1, pull("org/tiny-GGUF", "tiny.gguf", "--models-dir", modelsDir.toString(), "--progress", "none"));
        assertTrue(err().contains("quill pull: not found: org/tiny-GGUF tiny.gguf (HTTP 404"), err());
        assertFalse(Files.exists(modelsDir.resolve("tiny.gguf")));
    }

    @Test
    void pullsAUrl() throws Exception {
        hub.on("/direct/tiny.gguf", StandInServer.file(model, null, false));
        assertEquals(0, pull(hub.url("/direct/tiny.gguf").toString(), "--models-dir", modelsDir.toString(), "--progress", "none"));
        assertTrue(out().contains("not verified: no checksum published"), out());
        assertTrue(err().contains("publishes no SHA-256"), err());
    }

    @Test
    void rejectsBadArgumentsAsUsageErrors() {
        assertThrows(UsageException.class, () -> pull());
        assertThrows(UsageException.class, () -> pull("org/repo"));
        assertThrows(UsageException.class, () -> pull("a", "b", "c"));
        assertThrows(UsageException.class, () -> pull("https://example.org/m.gguf", "--revision", "dev"));
        assertThrows(UsageException.class, () -> pull("org/repo", "m.gguf", "--progress", "fancy"));
        assertThrows(IllegalArgumentException.class, () -> pull("org/repo", "m.gguf", "--hub-url", "http://hub.example"));
        assertTrue(hub.requests().isEmpty());
    }

    @Test
    void isRegisteredAndRejectsPathTraversalBeforeAnyRequest() {
        int status = Quill.run(new String[] {"pull", "org/repo", "../../etc/evil.gguf", "--hub-url", hub.base().toString(),
            "--models-dir", modelsDir.toString()}, out, err);
        assertEquals(2, status);
        assertTrue(err().contains("quill pull: file must not contain empty, '.' or '..' path components"), err());
        assertTrue(err().contains("usage: quill pull ORG/REPO FILE.gguf"), err());
        assertTrue(hub.requests().isEmpty());

        assertEquals(0, Quill.run(new String[] {"--help"}, out, err));
        assertTrue(out().contains("  pull       download a GGUF model"), out());
    }
}
