package dev.quill.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.model.ModelOptions;
import dev.quill.testutil.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
    @TempDir
    Path dir;

    private ModelRegistry registry(List<Path> files, Map<String, String> aliases, String defaultModel) {
        return new ModelRegistry(new RegistryOptions(dir, files, aliases, defaultModel,
                ModelOptions.defaults().withContextLength(128).withThreads(1), SchedulerOptions.defaults().withQueueSize(4), Map.of()));
    }

    @Test
    void withoutModelsListsNothingAndSaysHowToAddOne() {
        try (ModelRegistry r = registry(List.of(), Map.of(), null)) {
            assertTrue(r.list().isEmpty());
            assertTrue(r.defaultModelId().isEmpty());
            var e = assertThrows(ModelUnavailableException.class, () -> r.acquire(null));
            assertTrue(e.getMessage().contains("quill pull ORG/REPO FILE.gguf"), e.getMessage());
            var unknown = assertThrows(UnknownModelException.class, () -> r.acquire("llama"));
            assertTrue(unknown.getMessage().contains("no model is installed"), unknown.getMessage());
        }
    }

    @Test
    void picksUpFilesDroppedInLaterAndForgetsRemovedOnes() throws IOException {
        Path stories = SharedData.model("stories260K.gguf");
        try (ModelRegistry r = registry(List.of(), Map.of(), null)) {
            assertTrue(r.list().isEmpty());
            Files.createSymbolicLink(dir.resolve("story.gguf"), stories);
            Files.writeString(dir.resolve("notes.txt"), "not a model");
            assertEquals(List.of("story"), r.list().stream().map(ModelRegistry.Entry::id).toList());
            assertEquals("story", r.defaultModelId().orElseThrow());
            ModelInfo info = r.find("story").orElseThrow().info();
            assertEquals("llama", info.architecture());
            assertEquals("F32", info.weightType());
            assertEquals(2048, info.trainedContextLength());
            Files.delete(dir.resolve("story.gguf"));
            assertTrue(r.list().isEmpty());
        }
    }

    @Test
    void loadsOnFirstUseOnceAndUnloadFreesIt() throws IOException {
        Path stories = SharedData.model("stories260K.gguf");
        try (ModelRegistry r = registry(List.of(stories), Map.of("tiny", "stories260K"), null)) {
            assertFalse(r.find("stories260K").orElseThrow().loaded());
            ServedModel m = r.acquire("tiny");
            assertSame(m, r.acquire(null));
            assertEquals(128, m.contextLength());
            assertEquals(List.of("tiny"), r.find("stories260K").orElseThrow().aliases());
            assertTrue(r.unload("stories260K"));
            assertFalse(r.find("stories260K").orElseThrow().loaded());
            assertFalse(r.unload("stories260K"));
            assertNotNull(r.acquire("stories260K"));
        }
    }

    @Test
    void aFileThatFailsToLoadFailsOnlyItsOwnRequests() throws IOException {
        Files.write(dir.resolve("broken.gguf"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 1});
        Path stories = SharedData.model("stories260K.gguf");
        try (ModelRegistry r = registry(List.of(stories), Map.of(), "stories260K")) {
            var e = assertThrows(ModelUnavailableException.class, () -> r.acquire("broken"));
            assertTrue(e.getMessage().startsWith("model 'broken' failed to load: "), e.getMessage());
            // Listed, with the reason, and the same answer again without re-reading the unchanged file.
            assertNotNull(r.find("broken").orElseThrow().loadError());
            assertEquals(e.getMessage(), assertThrows(ModelUnavailableException.class, () -> r.acquire("broken")).getMessage());
            assertNotNull(r.acquire(null));
        }
    }

    @Test
    void explicitFilesComeFirstForTheDefault() throws IOException {
        Path stories = SharedData.model("stories260K.gguf");
        Files.createSymbolicLink(dir.resolve("aaa.gguf"), stories);
        try (ModelRegistry r = registry(List.of(stories), Map.of(), null)) {
            assertEquals("stories260K", r.defaultModelId().orElseThrow());
        }
    }
}
