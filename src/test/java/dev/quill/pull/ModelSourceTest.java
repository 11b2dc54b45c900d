package dev.quill.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelSourceTest {
    private static final URI HUB = ModelSource.DEFAULT_HUB;

    private static String rejected(String repo, String file) {
        return assertThrows(IllegalArgumentException.class, () -> ModelSource.huggingFace(HUB, repo, file, null)).getMessage();
    }

    @Test
    void resolvesARepoFileOnTheHub() {
        ModelSource s = ModelSource.huggingFace(HUB, "bartowski/SmolLM2-135M-Instruct-GGUF", "SmolLM2-135M-Instruct-Q8_0.gguf", null);
        assertEquals(URI.create("https://huggingface.co/bartowski/SmolLM2-135M-Instruct-GGUF/resolve/main/SmolLM2-135M-Instruct-Q8_0.gguf"),
                s.uri());
        assertEquals("SmolLM2-135M-Instruct-Q8_0.gguf", s.fileName());
        assertEquals("bartowski/SmolLM2-135M-Instruct-GGUF SmolLM2-135M-Instruct-Q8_0.gguf", s.label());
    }

    @Test
    void encodesRevisionsAndKeepsFoldersOfTheRepo() {
        ModelSource s = ModelSource.huggingFace(URI.create("http://127.0.0.1:8080/mirror/"), "org/repo",
                "Q4 K/model name.gguf", "refs/pr/1");
        assertEquals(URI.create("http://127.0.0.1:8080/mirror/org/repo/resolve/refs%2Fpr%2F1/Q4%20K/model%20name.gguf"), s.uri());
        assertEquals("model name.gguf", s.fileName(), "saved under its last component, in the models directory itself");
        assertTrue(s.label().contains("revision refs/pr/1"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "noslash|exactly one '/'",
        "a/b/c|exactly one '/'",
        "../evil|invalid part '..'",
        "org/..|invalid part '..'",
        "org/.hidden|invalid part '.hidden'",
        "org/a..b|invalid part 'a..b'",
        "org/na me|invalid part 'na me'",
        "org\\x/repo|invalid part 'org\\x'",
        "/org|invalid part ''",
    })
    void rejectsBadRepositoryNames(String repo, String expected) {
        String message = rejected(repo, "model.gguf");
        assertTrue(message.contains(expected), message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "../model.gguf|'.' or '..'",
        "sub/../../model.gguf|'.' or '..'",
        "/etc/model.gguf|absolute path",
        "sub\\..\\model.gguf|backslashes",
        "sub//model.gguf|empty",
        "model.bin|must be a .gguf file",
        ".gguf|must not start with '.'",
        "model.gguf/|empty",
        "C:model.gguf|not allowed (':')",
        "-rf.gguf|must not start with '.' or '-'",
    })
    void rejectsBadFileNames(String file, String expected) {
        String message = rejected("org/repo", file);
        assertTrue(message.contains(expected), message);
    }

    @Test
    void rejectsControlCharactersInFileNames() {
        String message = rejected("org/repo", "model\n.gguf");
        assertTrue(message.contains("U+000A"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../main", "main/", "a//b", "a b"})
    void rejectsBadRevisions(String revision) {
        assertThrows(IllegalArgumentException.class, () -> ModelSource.huggingFace(HUB, "org/repo", "m.gguf", revision));
    }

    @Test
    void acceptsAnHttpsUrlAndDropsItsQuery() {
        ModelSource s = ModelSource.url("https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q8_0.gguf?download=true");
        assertEquals(URI.create("https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q8_0.gguf"), s.uri());
        assertEquals("qwen2.5-0.5b-instruct-q8_0.gguf", s.fileName());
    }

    @Test
    void turnsAHuggingFacePageLinkIntoItsDownloadLink() {
        ModelSource s = ModelSource.url("https://huggingface.co/org/repo/blob/main/sub/model.gguf");
        assertEquals(URI.create("https://huggingface.co/org/repo/resolve/main/sub/model.gguf"), s.uri());
    }

    @Test
    void decodesTheSavedNameOfAUrl() {
        assertEquals("my model+1.gguf", ModelSource.url("https://example.org/x/my%20model+1.gguf").fileName());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "http://example.org/model.gguf|must use https",
        "ftp://example.org/model.gguf|https://",
        "file:///etc/model.gguf|https://",
        "https://example.org/model.bin|must be a .gguf file",
        "https://example.org/|does not name a file",
        "https://example.org/a/../model.gguf|'..'",
        "https://example.org/a/%2e%2e/model.gguf|'..'",
        "https://example.org/..%2Fmodel.gguf|encoded slashes",
        "https://example.org/x%5Cmodel.gguf|backslashes",
        "https://user:pw@example.org/model.gguf|user name or password",
        "https://exa mple.org/model.gguf|not a valid URL",
    })
    void rejectsBadUrls(String url, String expected) {
        String message = assertThrows(IllegalArgumentException.class, () -> ModelSource.url(url)).getMessage();
        assertTrue(message.contains(expected), message);
    }

    @Test
    void allowsPlainHttpOnlyOnThisMachine() {
        assertEquals("m.gguf", ModelSource.url("http://127.0.0.1:9000/m.gguf").fileName());
        assertEquals("m.gguf", ModelSource.url("http://localhost:9000/m.gguf").fileName());
        assertEquals(URI.create("http://127.0.0.1:9000"), ModelSource.parseHub("http://127.0.0.1:9000/"));
        String message = assertThrows(IllegalArgumentException.class, () -> ModelSource.parseHub("http://mirror.example")).getMessage();
        assertTrue(message.contains("must use https"), message);
        assertThrows(IllegalArgumentException.class, () -> ModelSource.parseHub("https://hub.example/?x=1"));
        assertThrows(IllegalArgumentException.class, () -> ModelSource.parseHub("huggingface.co"));
    }
}
