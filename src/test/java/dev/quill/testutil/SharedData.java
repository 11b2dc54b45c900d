package dev.quill.testutil;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

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
}
