package dev.quill.pull;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.pull.DownloadException.Reason;
import dev.quill.pull.StandInServer.Seen;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDownloaderTest {
    private static final String REPO = "test-org/tiny-model-GGUF";
    private static final String FILE = "tiny-Q8_0.gguf";
    private static final String HUB_PATH = "/" + REPO + "/resolve/main/" + FILE;
    private static final String CDN_PATH = "/blobs/tiny";
    private static final String CDN_ETAG = "\"cdn-v1\"";

    private final byte[] model = TinyGguf.bytes();
    private final String modelSha = TinyGguf.sha256(model);

    @TempDir
    Path modelsDir;
    private StandInServer hub;
    private StandInServer cdn;

    @BeforeEach
    void startServers() throws IOException {
        hub = new StandInServer();
        cdn = new StandInServer();
    }

    @AfterEach
    void stopServers() {
        hub.close();
        cdn.close();
    }

    /** What a listener heard. */
    static final class Heard implements DownloadListener {
        final List<String> notes = new CopyOnWriteArrayList<>();
        volatile long lastProgress = -1;
        volatile long startedAt = -1;
        private final long signalAt;
        private final CountDownLatch signal;

        Heard() {
            this(Long.MAX_VALUE, new CountDownLatch(1));
        }

        /** Opens {@code signal} once {@code signalAt} bytes are on disk. */
        Heard(long signalAt, CountDownLatch signal) {
            this.signalAt = signalAt;
            this.signal = signal;
        }

        @Override
        public void note(String message) {
            notes.add(message);
        }

        @Override
        public void started(long alreadyDownloaded, long totalBytes) {
            startedAt = alreadyDownloaded;
        }

        @Override
        public void progressed(long downloadedBytes, long totalBytes) {
            lastProgress = downloadedBytes;
            if (downloadedBytes >= signalAt) {
                signal.countDown();
            }
        }

        boolean noted(String fragment) {
            return notes.stream().anyMatch(n -> n.contains(fragment));
        }
    }

    private ModelDownloader.Builder downloaderBuilder() {
        return ModelDownloader.builder().hub(hub.base()).retries(0).retryDelay(Duration.ZERO)
                .connectTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofSeconds(10))
                .stallTimeout(Duration.ofSeconds(10));
    }

    private DownloadResult pull(ModelDownloader downloader, boolean force, DownloadListener listener) throws DownloadException {
        return downloader.download(downloader.resolve(REPO, FILE, null), modelsDir, force, listener);
    }

    private DownloadResult pull(DownloadListener listener) throws DownloadException {
        try (ModelDownloader d = downloaderBuilder().build()) {
            return pull(d, false, listener);
        }
    }

    private DownloadException pullFails(DownloadListener listener) {
        return assertThrows(DownloadException.class, () -> pull(listener));
    }

    /** The hub redirects to the CDN, publishing the SHA-256 and size on the redirect as Hugging Face does. */
    private void hubRedirectsToCdn(String publishedSha, long publishedSize) {
        hub.on(HUB_PATH, StandInServer.redirect(cdn.url(CDN_PATH).toString(), Map.of(
                "X-Linked-Etag", "\"" + publishedSha + "\"",
                "X-Linked-Size", Long.toString(publishedSize),
                "ETag", "\"" + publishedSha + "\"")));
    }

    private void servedLikeHuggingFace(boolean honourRanges) {
        hubRedirectsToCdn(modelSha, model.length);
        cdn.on(CDN_PATH, StandInServer.file(model, CDN_ETAG, honourRanges));
    }

    private Path destination() {
        return modelsDir.resolve(FILE);
    }

    private Path part() {
        return modelsDir.resolve(FILE + ".part");
    }

    private Path meta() {
        return modelsDir.resolve(FILE + ".part.meta");
    }

    /** A partial download as an earlier, interrupted run would have left it. */
    private void leavePartial(byte[] content, String etag, String sha) throws IOException {
        Files.write(part(), content);
        String uri = hub.url(HUB_PATH).toString();
        new PartialDownload(uri, etag, sha, model.length).write(meta());
    }

    private void assertNoLeftovers() {
        assertFalse(Files.exists(part()), ".part left behind");
        assertFalse(Files.exists(meta()), ".part.meta left behind");
    }

    @Test
    void followsTheRedirectAndVerifiesThePublishedChecksum() throws Exception {
        servedLikeHuggingFace(true);
        Heard heard = new Heard();

        DownloadResult result = pull(heard);

        assertArrayEquals(model, Files.readAllBytes(destination()));
        assertEquals(DownloadResult.Status.DOWNLOADED, result.status());
        assertEquals(destination(), result.file());
        assertEquals(model.length, result.sizeBytes());
        assertEquals(modelSha, result.sha256());
        assertTrue(result.checksumVerified());
        assertEquals(0, result.resumedFromBytes());
        assertEquals(model.length, heard.lastProgress);
        assertFalse(heard.noted("no SHA-256"), heard.notes.toString());
        assertNoLeftovers();
        assertEquals(1, hub.requestsTo(HUB_PATH).size());
        Seen cdnRequest = cdn.requestsTo(CDN_PATH).getFirst();
        assertNull(cdnRequest.header("Range"), "a fresh download asks for the whole file");
        assertEquals(1, cdn.requests().size());
    }

    @Test
    void sendsTheTokenToTheHubButNotToTheCdn() throws Exception {
        servedLikeHuggingFace(true);
        try (ModelDownloader d = downloaderBuilder().token("hf_secret").build()) {
            pull(d, false, null);
        }
        assertEquals("Bearer hf_secret", hub.requestsTo(HUB_PATH).getFirst().header("Authorization"));
        assertNull(cdn.requestsTo(CDN_PATH).getFirst().header("Authorization"), "the token must not leak to another origin");
    }

    @Test
    void sendsNoAuthorizationWithoutAToken() throws Exception {
        servedLikeHuggingFace(true);
        pull(null);
        assertNull(hub.requestsTo(HUB_PATH).getFirst().header("Authorization"));
    }

    @Test
    void refusesAFileWhoseChecksumDoesNotMatch() throws Exception {
        String wrongSha = "ab".repeat(32);
        hubRedirectsToCdn(wrongSha, model.length);
        cdn.on(CDN_PATH, StandInServer.file(model, CDN_ETAG, true));

        DownloadException e = pullFails(null);

        assertEquals(Reason.CHECKSUM_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("checksum mismatch for " + REPO + " " + FILE + ": expected sha256 " + wrongSha
                + ", got " + modelSha), e.getMessage());
        assertFalse(Files.exists(destination()));
        assertNoLeftovers();
    }

    @Test
    void resumesAPartialDownloadWithARangeRequest() throws Exception {
        servedLikeHuggingFace(true);
        int have = 123_457;
        leavePartial(Arrays.copyOf(model, have), CDN_ETAG, modelSha);
        Heard heard = new Heard();

        DownloadResult result = pull(heard);

        assertArrayEquals(model, Files.readAllBytes(destination()));
        assertEquals(have, result.resumedFromBytes());
        assertTrue(result.checksumVerified(), "the hash covers the resumed part too");
        assertEquals(have, heard.startedAt);
        Seen resumed = cdn.requestsTo(CDN_PATH).getFirst();
        assertEquals("bytes=" + have + "-", resumed.header("Range"));
        assertNull(resumed.header("If-Range"), "the published SHA-256 guards the resume, whatever ETag the CDN shows");
        assertTrue(heard.noted("resuming"), heard.notes.toString());
        assertNoLeftovers();
    }

    @Test
    void withoutAChecksumTheResumeIsGuardedByIfRange() throws Exception {
        hub.on(HUB_PATH, StandInServer.file(model, "\"v2\"", true));
        int have = 100_000;
        leavePartial(Arrays.copyOf(model, have), "\"v2\"", null);

        DownloadResult result = pull(new Heard());

        Seen resumed = hub.requestsTo(HUB_PATH).getFirst();
        assertEquals("bytes=" + have + "-", resumed.header("Range"));
        assertEquals("\"v2\"", resumed.header("If-Range"));
        assertEquals(have, result.resumedFromBytes());
        assertArrayEquals(model, Files.readAllBytes(destination()));
    }

    @Test
    void withoutAChecksumAChangedEtagStartsOver() throws Exception {
        hub.on(HUB_PATH, StandInServer.file(model, "\"v2\"", true));
        byte[] oldVersion = new byte[100_000];
        Arrays.fill(oldVersion, (byte) 'o');
        leavePartial(oldVersion, "\"v1\"", null);
        Heard heard = new Heard();

        DownloadResult result = pull(heard);

        assertEquals("\"v1\"", hub.requestsTo(HUB_PATH).getFirst().header("If-Range"));
        assertEquals(0, result.resumedFromBytes(), "the server sent the whole new version instead");
        assertTrue(heard.noted("did not resume"), heard.notes.toString());
        assertArrayEquals(model, Files.readAllBytes(destination()));
    }

    @Test
    void aCorruptResumedPrefixFailsTheChecksum() throws Exception {
        servedLikeHuggingFace(true);
        byte[] corrupt = Arrays.copyOf(model, 200_000);
        corrupt[150_000] ^= 1;
        leavePartial(corrupt, CDN_ETAG, modelSha);

        DownloadException e = pullFails(null);

        assertEquals(Reason.CHECKSUM_MISMATCH, e.reason());
        assertEquals("bytes=200000-", cdn.requestsTo(CDN_PATH).getFirst().header("Range"));
        assertFalse(Files.exists(destination()));
        assertNoLeftovers();
    }

    @Test
    void startsOverWhenTheServerIgnoresTheRange() throws Exception {
        servedLikeHuggingFace(false);
        // Not a prefix of the model: if it were kept, the result would be wrong.
        byte[] stale = new byte[50_000];
        Arrays.fill(stale, (byte) 'x');
        leavePartial(stale, CDN_ETAG, modelSha);
        Heard heard = new Heard();

        DownloadResult result = pull(heard);

        assertArrayEquals(model, Files.readAllBytes(destination()));
        assertEquals(0, result.resumedFromBytes());
        assertEquals("bytes=50000-", cdn.requestsTo(CDN_PATH).getFirst().header("Range"));
        assertTrue(heard.noted("did not resume"), heard.notes.toString());
        assertNoLeftovers();
    }

    @Test
    void aDroppedConnectionIsResumedByTheNextPull() throws Exception {
        int cutAt = 150_001;
        CountDownLatch clientHasBytes = new CountDownLatch(1);
        hubRedirectsToCdn(modelSha, model.length);
        cdn.on(CDN_PATH, StandInServer.firstThen(StandInServer.dropAfter(model, cutAt, clientHasBytes),
                StandInServer.file(model, CDN_ETAG, true)));

        DownloadException e = pullFails(new Heard(cutAt, clientHasBytes));

        assertEquals(Reason.INTERRUPTED, e.reason());
        assertTrue(e.getMessage().contains("interrupted at"), e.getMessage());
        assertTrue(e.getMessage().contains("run the same command again to resume"), e.getMessage());
        assertFalse(Files.exists(destination()));
        assertArrayEquals(Arrays.copyOf(model, cutAt), Files.readAllBytes(part()), "the received bytes are kept");
        assertTrue(Files.exists(meta()));

        DownloadResult result = pull(new Heard());

        List<Seen> cdnRequests = cdn.requestsTo(CDN_PATH);
        assertEquals(2, cdnRequests.size());
        assertNull(cdnRequests.get(0).header("Range"));
        assertEquals("bytes=" + cutAt + "-", cdnRequests.get(1).header("Range"));
        assertEquals(cutAt, result.resumedFromBytes());
        assertTrue(result.checksumVerified());
        assertArrayEquals(model, Files.readAllBytes(destination()));
        assertNoLeftovers();
    }

    @Test
    void aDroppedConnectionIsResumedAutomaticallyWhenRetriesAreAllowed() throws Exception {
        int cutAt = 90_000;
        CountDownLatch clientHasBytes = new CountDownLatch(1);
        hubRedirectsToCdn(modelSha, model.length);
        cdn.on(CDN_PATH, StandInServer.firstThen(StandInServer.dropAfter(model, cutAt, clientHasBytes),
                StandInServer.file(model, CDN_ETAG, true)));
        Heard heard = new Heard(cutAt, clientHasBytes);

        DownloadResult result;
        try (ModelDownloader d = downloaderBuilder().retries(1).build()) {
            result = pull(d, false, heard);
        }

        assertArrayEquals(model, Files.readAllBytes(destination()));
        assertEquals(cutAt, result.resumedFromBytes());
        assertEquals("bytes=" + cutAt + "-", cdn.requestsTo(CDN_PATH).get(1).header("Range"));
        assertEquals(2, hub.requestsTo(HUB_PATH).size(), "each try starts at the hub, whose redirect may expire");
        assertTrue(heard.noted("connection lost at"), heard.notes.toString());
    }

    @Test
    void aStalledConnectionCountsAsLost() throws Exception {
        int cutAt = 70_000;
        CountDownLatch release = new CountDownLatch(1);
        hubRedirectsToCdn(modelSha, model.length);
        cdn.on(CDN_PATH, StandInServer.stallAfter(model, cutAt, release));
        try (ModelDownloader d = downloaderBuilder().stallTimeout(Duration.ofMillis(300)).build()) {
            DownloadException e = assertThrows(DownloadException.class, () -> pull(d, false, null));
            assertEquals(Reason.INTERRUPTED, e.reason());
            assertTrue(e.getMessage().contains("no data received for"), e.getMessage());
        } finally {
            release.countDown();
        }
        assertArrayEquals(Arrays.copyOf(model, cutAt), Files.readAllBytes(part()));
    }

    @Test
    void finishesAPartialFileThatIsAlreadyComplete() throws Exception {
        servedLikeHuggingFace(true);
        leavePartial(model, CDN_ETAG, modelSha);
        Heard heard = new Heard();

        DownloadResult result = pull(heard);

        assertEquals("bytes=" + model.length + "-", cdn.requestsTo(CDN_PATH).getFirst().header("Range"));
        assertTrue(heard.noted("already complete"), heard.notes.toString());
        assertTrue(result.checksumVerified());
        assertArrayEquals(model, Files.readAllBytes(destination()));
        assertNoLeftovers();
    }

    @Test
    void startsOverWhenTheFileChangedOnTheServer() throws Exception {
        servedLikeHuggingFace(true);
        byte[] oldVersion = Arrays.copyOf(model, 100_000);
        oldVersion[99_999] ^= 1;
        leavePartial(oldVersion, CDN_ETAG, TinyGguf.sha256("an older version".getBytes(StandardCharsets.UTF_8)));
        Heard heard = new Heard();

        DownloadResult result = pull(heard);

        List<Seen> cdnRequests = cdn.requestsTo(CDN_PATH);
        assertEquals("bytes=100000-", cdnRequests.get(0).header("Range"));
        assertNull(cdnRequests.get(1).header("Range"), "the restart asks for the whole file");
        assertTrue(heard.noted("changed on the server"), heard.notes.toString());
        assertEquals(0, result.resumedFromBytes());
        assertArrayEquals(model, Files.readAllBytes(destination()));
    }

    @Test
    void startsOverWhenThePartialFileCameFromAnotherUrl() throws Exception {
        servedLikeHuggingFace(true);
        Files.write(part(), Arrays.copyOf(model, 1000));
        new PartialDownload("https://example.org/other.gguf", CDN_ETAG, modelSha, model.length).write(meta());
        Heard heard = new Heard();

        DownloadResult result = pull(heard);

        assertNull(cdn.requestsTo(CDN_PATH).getFirst().header("Range"));
        assertTrue(heard.noted("another source"), heard.notes.toString());
        assertEquals(0, result.resumedFromBytes());
        assertArrayEquals(model, Files.readAllBytes(destination()));
    }

    @Test
    void saysSoWhenNoChecksumIsPublished() throws Exception {
        hub.on(HUB_PATH, StandInServer.file(model, null, true));
        Heard heard = new Heard();

        DownloadResult result = pull(heard);

        assertFalse(result.checksumVerified());
        assertEquals(modelSha, result.sha256(), "the SHA-256 is still computed and reported");
        assertTrue(heard.noted("publishes no SHA-256"), heard.notes.toString());
        assertArrayEquals(model, Files.readAllBytes(destination()));
    }

    @Test
    void refusesAResponseLongerThanTheAnnouncedSize() throws Exception {
        hubRedirectsToCdn(modelSha, model.length - 10);
        cdn.on(CDN_PATH, StandInServer.file(model, CDN_ETAG, true));

        DownloadException e = pullFails(null);

        assertEquals(Reason.SIZE_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("announced " + (model.length - 10)), e.getMessage());
        assertFalse(Files.exists(destination()));
    }

    @Test
    void refusesAnHtmlPageInsteadOfAModel() throws Exception {
        hub.on(HUB_PATH, StandInServer.status(200, "text/html; charset=utf-8",
                "<!DOCTYPE html><html><body>Sign in to continue</body></html>", Map.of()));

        DownloadException e = pullFails(null);

        assertEquals(Reason.NOT_GGUF, e.reason());
        assertTrue(e.getMessage().contains("not a GGUF file"), e.getMessage());
        assertTrue(e.getMessage().contains("<!DOCTYPE"), e.getMessage());
        assertTrue(e.getMessage().contains("text/html"), e.getMessage());
        assertFalse(Files.exists(destination()));
        assertNoLeftovers();
    }

    @Test
    void reportsAMissingFile() throws Exception {
        hub.on(HUB_PATH, StandInServer.status(404, "text/plain", "Entry not found",
                Map.of("X-Error-Code", "EntryNotFound", "X-Error-Message", "Entry not found")));

        DownloadException e = pullFails(null);

        assertEquals(Reason.NOT_FOUND, e.reason());
        assertTrue(e.getMessage().startsWith("file not found in the repository: " + REPO + " " + FILE), e.getMessage());
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertNoLeftovers();
        assertFalse(Files.exists(destination()));
    }

    @Test
    void reportsAPlain404() throws Exception {
        // No route: the stand-in answers 404 without Hugging Face's error headers.
        DownloadException e = pullFails(null);
        assertEquals(Reason.NOT_FOUND, e.reason());
        assertTrue(e.getMessage().contains("check the repository, the file name and the revision"), e.getMessage());
    }

    @Test
    void explainsA401AsGatedOrPrivateAndPointsAtHfToken() throws Exception {
        hub.on(HUB_PATH, StandInServer.status(401, "text/plain", "Unauthorized", Map.of()));

        DownloadException e = pullFails(null);

        assertEquals(Reason.ACCESS_DENIED, e.reason());
        assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
        assertTrue(e.getMessage().contains("gated or private"), e.getMessage());
        assertTrue(e.getMessage().contains("set HF_TOKEN"), e.getMessage());
    }

    @Test
    void explainsThatA401MayMeanTheRepositoryDoesNotExist() throws Exception {
        // Without a token the hub answers 401, not 404, for a repository it does not show.
        hub.on(HUB_PATH, StandInServer.status(401, "text/plain", "Repository not found",
                Map.of("X-Error-Code", "RepoNotFound")));

        DownloadException e = pullFails(null);

        assertEquals(Reason.NOT_FOUND, e.reason());
        assertTrue(e.getMessage().startsWith("repository not found for " + REPO), e.getMessage());
        assertTrue(e.getMessage().contains("if it is private, set HF_TOKEN"), e.getMessage());
    }

    @Test
    void explainsA403WithATokenAsATokenWithoutAccess() throws Exception {
        hub.on(HUB_PATH, StandInServer.status(403, "text/plain", "Forbidden",
                Map.of("X-Error-Code", "GatedRepo", "X-Error-Message", "Access to model is restricted")));
        try (ModelDownloader d = downloaderBuilder().token("hf_wrong").build()) {
            DownloadException e = assertThrows(DownloadException.class, () -> pull(d, false, null));
            assertEquals(Reason.ACCESS_DENIED, e.reason());
            assertTrue(e.getMessage().contains("HF_TOKEN was sent but does not give access"), e.getMessage());
            assertTrue(e.getMessage().contains("Access to model is restricted"), e.getMessage());
        }
    }

    @Test
    void reportsServerErrors() throws Exception {
        hubRedirectsToCdn(modelSha, model.length);
        cdn.on(CDN_PATH, StandInServer.status(503, "text/plain", "Service Unavailable", Map.of()));

        DownloadException e = pullFails(null);

        assertEquals(Reason.SERVER_ERROR, e.reason());
        assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
        assertTrue(e.getMessage().contains("try again later"), e.getMessage());
    }

    @Test
    void saysClearlyWhenTheHubCannotBeReached() throws Exception {
        java.net.URI offline = java.net.URI.create("http://127.0.0.1:" + StandInServer.refusedPort());
        try (ModelDownloader d = downloaderBuilder().hub(offline).build()) {
            DownloadException e = assertThrows(DownloadException.class, () -> pull(d, false, null));
            assertEquals(Reason.UNREACHABLE, e.reason());
            assertTrue(e.getMessage().startsWith("cannot reach " + offline + ": connection refused"), e.getMessage());
            assertTrue(e.getMessage().contains("check your network connection"), e.getMessage());
            assertTrue(e.getMessage().contains("--hub-url"), e.getMessage());
        }
        assertNoLeftovers();
    }

    @Test
    void keepsAnExistingFileUnlessForced() throws Exception {
        servedLikeHuggingFace(true);
        byte[] old = "GGUF an older copy".getBytes(StandardCharsets.UTF_8);
        Files.write(destination(), old);

        DownloadResult skipped = pull(null);

        assertEquals(DownloadResult.Status.ALREADY_PRESENT, skipped.status());
        assertEquals(old.length, skipped.sizeBytes());
        assertArrayEquals(old, Files.readAllBytes(destination()));
        assertTrue(hub.requests().isEmpty() && cdn.requests().isEmpty(), "nothing is requested for a file that is there");

        DownloadResult forced;
        try (ModelDownloader d = downloaderBuilder().build()) {
            forced = pull(d, true, null);
        }
        assertEquals(DownloadResult.Status.DOWNLOADED, forced.status());
        assertArrayEquals(model, Files.readAllBytes(destination()));
    }

    @Test
    void aFailedForcedDownloadLeavesTheExistingFileAlone() throws Exception {
        hubRedirectsToCdn("cd".repeat(32), model.length);
        cdn.on(CDN_PATH, StandInServer.file(model, CDN_ETAG, true));
        byte[] old = "GGUF the copy we had".getBytes(StandardCharsets.UTF_8);
        Files.write(destination(), old);

        try (ModelDownloader d = downloaderBuilder().build()) {
            assertThrows(DownloadException.class, () -> pull(d, true, null));
        }
        assertArrayEquals(old, Files.readAllBytes(destination()));
    }

    @Test
    void reportsAModelsDirectoryThatIsAFile() throws Exception {
        Path notADir = modelsDir.resolve("plain-file");
        Files.writeString(notADir, "x");
        try (ModelDownloader d = downloaderBuilder().build()) {
            DownloadException e = assertThrows(DownloadException.class,
                    () -> d.download(d.resolve(REPO, FILE, null), notADir, false, null));
            assertEquals(Reason.STORAGE, e.reason());
            assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
        }
        assertTrue(hub.requests().isEmpty());
    }

    @Test
    void refusesToShareAPartialFileWithAnotherDownload() throws Exception {
        servedLikeHuggingFace(true);
        try (FileChannel other = FileChannel.open(part(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = other.lock()) {
            DownloadException e = pullFails(null);
            assertEquals(Reason.STORAGE, e.reason());
            assertTrue(e.getMessage().contains("being downloaded by another quill pull"), e.getMessage());
        }
        assertTrue(hub.requests().isEmpty());
    }

    @Test
    void resolvesRevisionsAndFilesInFolders() throws Exception {
        String path = "/" + REPO + "/resolve/refs%2Fpr%2F3/Q8_0/" + FILE;
        hub.on(path, StandInServer.file(model, null, true));
        try (ModelDownloader d = downloaderBuilder().build()) {
            DownloadResult result = d.download(d.resolve(REPO, "Q8_0/" + FILE, "refs/pr/3"), modelsDir, false, null);
            assertEquals(destination(), result.file());
        }
        assertEquals(1, hub.requestsTo(path).size());
    }

    @Test
    void pullsADirectUrl() throws Exception {
        cdn.on("/files/" + FILE, StandInServer.file(model, CDN_ETAG, true));
        try (ModelDownloader d = downloaderBuilder().token("hf_secret").build()) {
            ModelSource source = ModelSource.url(cdn.url("/files/" + FILE) + "?download=true");
            DownloadResult result = d.download(source, modelsDir, false, null);
            assertArrayEquals(model, Files.readAllBytes(result.file()));
        }
        assertNull(cdn.requests().getFirst().header("Authorization"), "the token only goes to the hub");
    }
}
