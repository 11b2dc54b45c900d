package dev.quill.server;

import dev.quill.testutil.SharedData;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The one server configuration most API tests share (one Quarkus boot for all of them): a temporary
 * models directory with stories260K (a link to ../shared) and a corrupt {@code broken.gguf}, a
 * small context and queue so limits are cheap to reach, and an API key.
 */
public class ServerTestProfile implements QuarkusTestProfile {
    public static final String API_KEY = "test-key";
    public static final int CONTEXT = 256;
    public static final int QUEUE = 2;
    public static final String MODEL = "stories260K";
    public static final String CUSTOM_TEMPLATE_MODEL = "stories-custom";
    /** A template that refuses system messages, as several real ones (Gemma, Mistral) do. */
    public static final String CUSTOM_TEMPLATE = "{% for m in messages %}{% if m['role'] == 'system' %}"
            + "{{ raise_exception('System role not supported') }}{% endif %}[{{ m['role'] }}] {{ m['content'] }}\n"
            + "{% endfor %}{% if add_generation_prompt %}[assistant] {% endif %}";

    static final Path MODELS_DIR = createModelsDir();

    private static Path createModelsDir() {
        try {
            Path dir = Files.createTempDirectory("quill-test-models");
            Path stories = SharedData.root().resolve("models/stories260K.gguf");
            if (Files.exists(stories)) {
                // Copies (1 MiB), not links: a model the server keeps mapped must not show up as a
                // mapping of the shared file, which other tests count.
                Files.copy(stories, dir.resolve(MODEL + ".gguf"));
                // The same weights under another id, with a chat template set in the configuration.
                Files.copy(stories, dir.resolve(CUSTOM_TEMPLATE_MODEL + ".gguf"));
            }
            // A GGUF magic followed by garbage: listed, but it fails to load.
            Files.write(dir.resolve("broken.gguf"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9});
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteAll(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteAll(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // A temporary directory left behind is harmless.
        }
    }

    /** Longest text /api/tokenize takes in the tests: below the body limit, so the check of its own is reached. */
    public static final int TOKENIZE_MAX_CHARS = 20_000;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("quill.models-dir", MODELS_DIR.toString()),
                Map.entry("quill.chat-template." + CUSTOM_TEMPLATE_MODEL, CUSTOM_TEMPLATE),
                Map.entry("quill.default-model", MODEL),
                Map.entry("quill.models.tiny", MODEL),
                Map.entry("quill.context-length", Integer.toString(CONTEXT)),
                Map.entry("quill.queue-size", Integer.toString(QUEUE)),
                Map.entry("quill.threads", "1"),
                Map.entry("quill.api-keys", API_KEY),
                Map.entry("quill.max-body-size", "64K"),
                // The tokenizer inspector also offers llama.cpp's vocabulary-only files, when ../shared has them.
                Map.entry("quill.tokenizer-files", conformanceVocabularies()),
                Map.entry("quill.tokenize-max-chars", Integer.toString(TOKENIZE_MAX_CHARS)));
    }

    /** The conformance vocabularies present in ../shared, comma-separated ("" when absent). */
    static String conformanceVocabularies() {
        StringBuilder out = new StringBuilder();
        for (String name : new String[] {"llama3", "gpt-2", "llama-spm"}) {
            Path p = SharedData.root().resolve("conformance/tokenizer/ggml-vocab-" + name + ".gguf");
            if (Files.exists(p)) {
                out.append(out.isEmpty() ? "" : ",").append(p);
            }
        }
        return out.toString();
    }
}
