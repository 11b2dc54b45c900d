package dev.quill.ui;

import dev.quill.gguf.GgufFile;
import dev.quill.gguf.GgufWriter;
import dev.quill.gguf.MetadataValue;
import dev.quill.testutil.SharedData;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The server the browser tests run against (one Quarkus boot for all of them): stories260K, a
 * second copy under another id (so two columns of Compare stream on two engine threads at once),
 * and {@value #XSS_MODEL}, stories260K with the vocabulary piece "." renamed to an HTML payload,
 * so the model's real output contains markup. Its full trained context, so a generation lasts
 * long enough to be stopped.
 */
public class UiTestProfile implements QuarkusTestProfile {
    public static final String MODEL = "stories260K";
    public static final String SECOND_MODEL = "stories-b";
    public static final String XSS_MODEL = "stories-xss";
    /** What the XSS model writes wherever stories260K writes "." */
    public static final String XSS_PIECE = ".<img▁src=x▁onerror=window.__xss=1>";
    public static final String XSS_TEXT = XSS_PIECE.replace('▁', ' ');

    static final Path MODELS_DIR = createModelsDir();

    private static Path createModelsDir() {
        try {
            Path dir = Files.createTempDirectory("quill-ui-models");
            Path stories = SharedData.root().resolve("models/stories260K.gguf");
            if (Files.exists(stories)) {
                Files.copy(stories, dir.resolve(MODEL + ".gguf"));
                Files.copy(stories, dir.resolve(SECOND_MODEL + ".gguf"));
                writeXssModel(stories, dir.resolve(XSS_MODEL + ".gguf"));
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // A temporary folder left behind is harmless.
                }
            }));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeXssModel(Path source, Path target) throws IOException {
        try (GgufFile file = GgufFile.open(source)) {
            Object raw = file.metadata().get("tokenizer.ggml.tokens").value();
            String[] tokens = raw instanceof String[] a ? a.clone() : ((List<?>) raw).stream().map(String::valueOf).toArray(String[]::new);
            boolean replaced = false;
            for (int i = 0; i < tokens.length; i++) {
                if (tokens[i].equals(".")) {
                    tokens[i] = XSS_PIECE;
                    replaced = true;
                }
            }
            if (!replaced) {
                throw new IllegalStateException("stories260K has no '.' token to replace");
            }
            GgufWriter.copyOf(file).put("tokenizer.ggml.tokens", MetadataValue.stringArray(tokens)).write(target);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quill.models-dir", MODELS_DIR.toString(),
                "quill.default-model", MODEL,
                "quill.context-length", "2048",
                "quill.queue-size", "4",
                "quill.threads", "1");
    }
}
