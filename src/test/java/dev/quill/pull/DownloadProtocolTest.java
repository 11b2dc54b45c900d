package dev.quill.pull;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The small decisions of the protocol, checked without a server. */
class DownloadProtocolTest {
    @Test
    void parsesContentRanges() {
        assertArrayEquals(new long[] {100, 199, 200}, ModelDownloader.parseContentRange("bytes 100-199/200"));
        assertArrayEquals(new long[] {0, 9, -1}, ModelDownloader.parseContentRange("bytes 0-9/*"));
        assertNull(ModelDownloader.parseContentRange("bytes 100-99/200"));
        assertNull(ModelDownloader.parseContentRange("bytes 100-200/200"));
        assertNull(ModelDownloader.parseContentRange("items 1-2/3"));
        assertNull(ModelDownloader.parseContentRange(null));
        assertEquals(200, ModelDownloader.parseUnsatisfiedRange("bytes */200"));
        assertEquals(-1, ModelDownloader.parseUnsatisfiedRange("bytes 0-1/2"));
    }

    @Test
    void followsRelativeRedirectsButNeverDowngradesToHttpOverANetwork() throws Exception {
        URI from = URI.create("https://huggingface.co/org/repo/resolve/main/m.gguf");
        assertEquals(URI.create("https://huggingface.co/org2/repo/resolve/main/m.gguf"),
                ModelDownloader.redirectTarget(from, "/org2/repo/resolve/main/m.gguf"));
        assertEquals(URI.create("https://cdn.example/x?sig=1"), ModelDownloader.redirectTarget(from, "https://cdn.example/x?sig=1"));
        DownloadException e = assertThrows(DownloadException.class,
                () -> ModelDownloader.redirectTarget(from, "http://cdn.example/x"));
        assertEquals(DownloadException.Reason.PROTOCOL, e.reason());
        assertTrue(e.getMessage().contains("insecure http"), e.getMessage());
        assertThrows(DownloadException.class, () -> ModelDownloader.redirectTarget(from, "file:///etc/passwd"));
        assertThrows(DownloadException.class, () -> ModelDownloader.redirectTarget(from, "https://bad host/"));
    }

    @Test
    void comparesOriginsWithDefaultPorts() {
        assertTrue(ModelDownloader.sameOrigin(URI.create("https://huggingface.co/a"), URI.create("https://HuggingFace.co:443")));
        assertTrue(!ModelDownloader.sameOrigin(URI.create("https://huggingface.co/a"), URI.create("https://cdn-lfs.huggingface.co")));
        assertTrue(!ModelDownloader.sameOrigin(URI.create("http://127.0.0.1:1/a"), URI.create("http://127.0.0.1:2")));
    }

    @Test
    void namesTheCauseOfANetworkFailure() {
        assertEquals("the host name cannot be resolved (offline, or no DNS)",
                ModelDownloader.describeNetworkFailure(new ConnectException() {
                    {
                        initCause(new UnresolvedAddressException());
                    }
                }));
        assertEquals("the host name cannot be resolved (offline, or no DNS)",
                ModelDownloader.describeNetworkFailure(new UnknownHostException("huggingface.co")));
        assertEquals("connection refused", ModelDownloader.describeNetworkFailure(new ConnectException()));
        assertEquals("connection timed out",
                ModelDownloader.describeNetworkFailure(new java.net.http.HttpConnectTimeoutException("HTTP connect timed out")));
        assertEquals("reset", ModelDownloader.describeNetworkFailure(new IOException("reset")));
    }

    @Test
    void readsTheChecksumFromLinkedEtagBeforeEtag() {
        String linked = "a".repeat(64);
        String plain = "b".repeat(64);
        ModelDownloader.Published p = new ModelDownloader.Published();
        p.collect(headers(Map.of("ETag", "\"" + plain + "\"")));
        p.collect(headers(Map.of("X-Linked-Etag", "\"" + linked.toUpperCase() + "\"", "X-Linked-Size", "1234")));
        assertEquals(linked, p.sha256());
        assertEquals(1234, p.size());

        ModelDownloader.Published gitBlob = new ModelDownloader.Published();
        gitBlob.collect(headers(Map.of("ETag", "\"" + "c".repeat(40) + "\""))); // a git SHA-1 is not a SHA-256
        assertNull(gitBlob.sha256());
        assertEquals(-1, gitBlob.size());
    }

    @Test
    void readsHubAndTokenFromTheEnvironment() {
        assertEquals(ModelSource.DEFAULT_HUB, ModelDownloader.hubFromEnvironment(Map.of()));
        assertEquals(URI.create("https://mirror.example/hf"),
                ModelDownloader.hubFromEnvironment(Map.of("QUILL_HUB_URL", "https://mirror.example/hf/", "HF_ENDPOINT", "https://x.example")));
        assertEquals(URI.create("https://x.example"), ModelDownloader.hubFromEnvironment(Map.of("HF_ENDPOINT", "https://x.example")));
        String message = assertThrows(IllegalArgumentException.class,
                () -> ModelDownloader.hubFromEnvironment(Map.of("QUILL_HUB_URL", "http://mirror.example"))).getMessage();
        assertTrue(message.startsWith("QUILL_HUB_URL: "), message);
        assertNull(ModelDownloader.tokenFromEnvironment(Map.of("HF_TOKEN", "  ")));
        assertEquals("hf_a", ModelDownloader.tokenFromEnvironment(Map.of("HF_TOKEN", "hf_a\n", "HUGGING_FACE_HUB_TOKEN", "hf_b")));
        assertEquals("hf_b", ModelDownloader.tokenFromEnvironment(Map.of("HUGGING_FACE_HUB_TOKEN", "hf_b")));
    }

    @Test
    void explainsAFullDisk(@TempDir Path dir) {
        DownloadException e = ModelDownloader.storageError(dir.resolve("m.gguf.part"), new IOException("No space left on device"));
        assertEquals(DownloadException.Reason.STORAGE, e.reason());
        assertTrue(e.getMessage().startsWith("the disk is full: cannot write "), e.getMessage());
        assertTrue(e.getMessage().contains("run the same command again to resume"), e.getMessage());
    }

    private static java.net.http.HttpHeaders headers(Map<String, String> values) {
        Map<String, java.util.List<String>> m = new java.util.HashMap<>();
        values.forEach((k, v) -> m.put(k, java.util.List.of(v)));
        return java.net.http.HttpHeaders.of(m, (k, v) -> true);
    }
}
