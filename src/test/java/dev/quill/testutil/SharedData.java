package dev.quill.testutil;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Locates the read-only reference data in {@code ../shared}. Tests that need it call
 * {@link #require(String)}, which skips the test with a clear message when the folder is absent
 * (a clone outside the workspace).
 */
public final class SharedData {
    private SharedData() {
    }

    public static Path root() {
        String configured = System.getProperty("quill.shared.dir");
        Path p = configured != null ? Path.of(configured) : Path.of("..", "shared");
        return p.toAbsolutePath().normalize();
    }

    /** The file or folder under ../shared, skipping the calling test when it is missing. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        assumeTrue(Files.exists(p), "reference data " + p + " is absent (../shared not present); skipping");
        return p;
    }

    public static Path model(String fileName) {
        return require("models/" + fileName);
    }

    private static final String TOKENIZER_INPUT_SEPARATOR = "\n__ggml_vocab_test__\n";

    /**
     * The inputs of a tokenizer conformance {@code .inp} file. As llama.cpp's test-tokenizer-0:
     * inputs are separated by "\n__ggml_vocab_test__\n", and the last one ends with it.
     */
    public static List<String> splitTokenizerInputs(String raw) {
        List<String> inputs = new ArrayList<>();
        int pos = 0;
        while (pos < raw.length()) {
            int next = raw.indexOf(TOKENIZER_INPUT_SEPARATOR, pos);
            if (next < 0) {
                inputs.add(raw.substring(pos));
                break;
            }
            inputs.add(raw.substring(pos, next));
            pos = next + TOKENIZER_INPUT_SEPARATOR.length();
        }
        return inputs;
    }
}
