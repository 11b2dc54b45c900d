package dev.quill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServeCommandTest {
    @Test
    void optionsBecomeConfigurationProperties() {
        Map<String, String> p = ServeCommand.properties(new String[] {"--model", "a.gguf", "--model", "b,c.gguf",
                "--models-dir", "/m", "--host", "0.0.0.0", "--port", "9000", "--preload", "--ctx-size", "512"});
        assertEquals(Path.of("a.gguf").toAbsolutePath() + "," + Path.of("b,c.gguf").toAbsolutePath().toString()
                .replace(",", "\\,"), p.get("quill.model-files"));
        assertEquals("/m", p.get("quill.models-dir"));
        assertEquals("0.0.0.0", p.get("quarkus.http.host"));
        assertEquals("9000", p.get("quarkus.http.port"));
        assertEquals("true", p.get("quill.preload"));
        assertEquals("512", p.get("quill.context-length"));
        assertEquals(null, p.get("quill.log-json"));
        assertEquals("true", ServeCommand.properties(new String[] {"--log-json"}).get("quill.log-json"));
        assertTrue(ServeCommand.properties(new String[0]).isEmpty(), "defaults come from application.properties");
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThrows(UsageException.class, () -> ServeCommand.properties(new String[] {"--port", "70000"}));
        assertThrows(UsageException.class, () -> ServeCommand.properties(new String[] {"extra"}));
        assertThrows(UsageException.class, () -> ServeCommand.properties(new String[] {"--bogus"}));
    }
}
