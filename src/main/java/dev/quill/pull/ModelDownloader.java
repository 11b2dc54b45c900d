package dev.quill.pull;

import dev.quill.pull.DownloadException.Reason;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Downloads GGUF files from a Hugging Face hub (or any https URL) into a models directory.
 *
 * <p>The file is written to {@code NAME.part} and renamed to {@code NAME} only once it is complete
 * and verified: size against {@code X-Linked-Size} / {@code Content-Length}, the GGUF magic, and the
 * SHA-256 the hub publishes in {@code X-Linked-Etag} when there is one. An interrupted download is
 * resumed with a {@code Range} request, guarded by the published SHA-256 (or, when there is none, by
 * {@code If-Range} with the ETag) so a file that changed on the server is not spliced onto an old prefix.
 *
 * <p>Redirects are followed here rather than by the HTTP client, so that the hub's headers on the
 * redirect (where it puts the checksum) are seen and the token is only ever sent to the hub.
 */
public final class ModelDownloader implements AutoCloseable {
    private static final String USER_AGENT = "quill-pull/0.1 (java.net.http)";
    private static final int MAX_REDIRECTS = 10;
    private static final int CHUNK_BYTES = 1 << 16;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes\\s+\\*/(\\d+)");
    private static final byte[] GGUF_MAGIC = {'G', 'G', 'U', 'F'};

    private final HttpClient client;
    private final URI hub;
    private final String token;
    private final Duration responseTimeout;
    private final Duration stallTimeout;
    private final int retries;
    private final Duration retryDelay;

    private ModelDownloader(Builder b) {
        this.hub = ModelSource.checkHub(b.hub);
        this.token = b.token == null || b.token.isBlank() ? null : b.token.strip();
        this.responseTimeout = b.responseTimeout;
        this.stallTimeout = b.stallTimeout;
        this.retries = b.retries;
        this.retryDelay = b.retryDelay;
        this.client = HttpClient.newBuilder()
                .connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                // One long sequential stream: HTTP/2 multiplexing buys nothing, and HTTP/1.1 keeps the
                // client's behaviour the same against the hub, its CDN and a test server.
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The hub: {@code QUILL_HUB_URL}, else {@code HF_ENDPOINT} (Hugging Face's own mirror setting), else huggingface.co. */
    public static URI hubFromEnvironment(Map<String, String> env) {
        for (String name : new String[] {"QUILL_HUB_URL", "HF_ENDPOINT"}) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                try {
                    return ModelSource.parseHub(value);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(name + ": " + e.getMessage());
                }
            }
        }
        return ModelSource.DEFAULT_HUB;
    }

    /** The access token: {@code HF_TOKEN}, else the older {@code HUGGING_FACE_HUB_TOKEN}; null when neither is set. */
    public static String tokenFromEnvironment(Map<String, String> env) {
        for (String name : new String[] {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        return null;
    }

    public URI hub() {
        return hub;
    }

    /** {@code ORG/REPO FILE} on this downloader's hub; {@code revision} null means {@code main}. */
    public ModelSource resolve(String repo, String file, String revision) {
        return ModelSource.huggingFace(hub, repo, file, revision);
    }

    /**
     * Downloads {@code source} into {@code modelsDir} (created if needed). When the file is already
     * there it is left alone unless {@code force}; then it is replaced only once the new copy is
     * complete and verified.
     */
    public DownloadResult download(ModelSource source, Path modelsDir, boolean force, DownloadListener listener)
            throws DownloadException {
        Objects.requireNonNull(source, "source");
        listener = listener == null ? DownloadListener.NONE : listener;
        Path dir = prepareDirectory(modelsDir);
        Path destination = dir.resolve(source.fileName());
        if (!destination.toAbsolutePath().normalize().getParent().equals(dir.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("file name escapes the models directory: " + source.fileName());
        }
        if (Files.isDirectory(destination)) {
            throw new DownloadException(Reason.STORAGE, destination + " is a directory; remove it or pick another models directory");
        }
        if (Files.exists(destination) && !force) {
            return new DownloadResult(destination, DownloadResult.Status.ALREADY_PRESENT, sizeOrZero(destination), null,
                    false, 0);
        }
        Path part = dir.resolve(source.fileName() + ".part");
        Path metaFile = PartialDownload.metaFileFor(part);
        FileChannel channel = openPart(part);
        // Released when the channel closes; it keeps two pulls of one file from writing the same .part.
        lockPart(channel, part);
        boolean moved = false;
        try {
            int retriesLeft = retries;
            long delayMillis = retryDelay.toMillis();
            while (true) {
                try {
                    DownloadResult result = new Download(source, destination, part, metaFile, channel, listener).run();
                    moved = true;
                    return result;
                } catch (ConnectionLost lost) {
                    if (lost.receivedThisAttempt > 0 && retriesLeft > 0) {
                        retriesLeft--;
                        listener.note("connection lost at " + ProgressBar.formatBytes(lost.have) + " (" + lost.describeCause()
                                + "); resuming");
                        sleep(delayMillis);
                        delayMillis = Math.min(delayMillis * 2, 30_000);
                        continue;
                    }
                    throw lost.toDownloadException(source);
                }
            }
        } finally {
            closeQuietly(channel);
            if (!moved && sizeOrZero(part) == 0) {
                // Nothing worth resuming: leave no clutter behind.
                deleteQuietly(part);
                deleteQuietly(metaFile);
            }
        }
    }

    @Override
    public void close() {
        client.close();
    }

    /** One try at the download; a lost connection ends it with {@link ConnectionLost} so the caller can retry. */
    private final class Download {
        private final ModelSource source;
        private final Path destination;
        private final Path part;
        private final Path metaFile;
        private final FileChannel channel;
        private final DownloadListener listener;

        Download(ModelSource source, Path destination, Path part, Path metaFile, FileChannel channel,
                DownloadListener listener) {
            this.source = source;
            this.destination = destination;
            this.part = part;
            this.metaFile = metaFile;
            this.channel = channel;
            this.listener = listener;
        }

        DownloadResult run() throws DownloadException, ConnectionLost {
            boolean mayResume = true;
            // A second round only follows discarding the partial file, and then nothing can ask for a third.
            for (int round = 0; round < 2; round++) {
                long have = mayResume ? partSize() : 0;
                PartialDownload saved = have > 0 ? PartialDownload.read(metaFile) : null;
                if (saved != null && !saved.url().equals(source.uri().toString())) {
                    listener.note("the partial download came from another source (" + saved.url() + "); starting over");
                    discardPartial();
                    have = 0;
                    saved = null;
                }
                if (have == 0) {
                    discardPartial();
                }
                // A saved SHA-256 already guards the splice (compared below, and over the whole file at the
                // end), so If-Range is only needed without one; it would restart a good partial download
                // whenever a CDN edge reports another ETag for the same bytes.
                String ifRange = saved == null || saved.sha256() != null ? null : saved.etag();
                Exchange exchange = open(have, ifRange);
                Published published = exchange.published;
                if (have > 0 && saved != null) {
                    published.rememberedSha256(saved.sha256());
                }
                if (have > 0 && saved != null && saved.sha256() != null && published.sha256() != null
                        && !saved.sha256().equalsIgnoreCase(published.sha256())) {
                    exchange.close();
                    listener.note("the file changed on the server since the partial download; starting over");
                    discardPartial();
                    mayResume = false;
                    continue;
                }
                long responseTotal;
                switch (exchange.status) {
                    case 200 -> {
                        if (have > 0) {
                            listener.note("the server did not resume the download; starting over");
                            have = 0;
                        }
                        responseTotal = exchange.response.headers().firstValueAsLong("Content-Length").orElse(-1);
                    }
                    case 206 -> {
                        long[] range = parseContentRange(exchange.header("Content-Range"));
                        if (range == null || range[0] != have) {
                            exchange.close();
                            listener.note("the server answered with an unexpected range (" + exchange.header("Content-Range")
                                    + "); starting over");
                            discardPartial();
                            mayResume = false;
                            continue;
                        }
                        responseTotal = range[2];
                        listener.note("resuming: " + ProgressBar.formatBytes(have) + " already downloaded");
                    }
                    case 416 -> {
                        exchange.close();
                        long total = parseUnsatisfiedRange(exchange.header("Content-Range"));
                        long expected = published.size() >= 0 ? published.size() : total;
                        if (have > 0 && expected == have) {
                            listener.note("the partial download is already complete");
                            return finish(have, expected, hashOfPrefix(have), published, exchange);
                        }
                        listener.note("the partial download does not match the file on the server; starting over");
                        discardPartial();
                        mayResume = false;
                        continue;
                    }
                    default -> {
                        exchange.close();
                        throw httpError(exchange);
                    }
                }
                if (published.size() >= 0 && responseTotal >= 0 && published.size() != responseTotal) {
                    exchange.close();
                    throw new DownloadException(Reason.SIZE_MISMATCH, "the server announced " + published.size()
                            + " bytes for " + source.label() + " but sends " + responseTotal + " bytes");
                }
                long expectedSize = published.size() >= 0 ? published.size() : responseTotal;
                try {
                    checkFreeSpace(part.toAbsolutePath().getParent(), expectedSize - have);
                    truncatePart(have);
                    new PartialDownload(source.uri().toString(), exchange.strongEtag(), published.sha256(), expectedSize)
                            .write(metaFile);
                } catch (IOException e) {
                    exchange.close();
                    throw e instanceof DownloadException de ? de : storageError(part, e);
                }
                MessageDigest digest = hashOfPrefix(have);
                receive(exchange, have, expectedSize, digest);
                return finish(have, expectedSize, digest, published, exchange);
            }
            throw new DownloadException(Reason.PROTOCOL, "the server kept answering resume requests inconsistently for "
                    + source.label());
        }

        /** Requests the source from byte {@code from}, following redirects and collecting what the hub publishes. */
        private Exchange open(long from, String ifRangeEtag) throws DownloadException {
            URI uri = source.uri();
            Published published = new Published();
            for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
                HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(responseTimeout)
                        .header("User-Agent", USER_AGENT);
                boolean sendToken = token != null && sameOrigin(uri, hub);
                if (sendToken) {
                    request.header("Authorization", "Bearer " + token);
                }
                if (from > 0) {
                    request.header("Range", "bytes=" + from + "-");
                    if (ifRangeEtag != null) {
                        request.header("If-Range", ifRangeEtag);
                    }
                }
                HttpResponse<InputStream> response = send(request.build(), from);
                published.collect(response.headers());
                int status = response.statusCode();
                if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                    closeQuietly(response.body());
                    String location = response.headers().firstValue("Location").orElseThrow(() -> new DownloadException(
                            Reason.PROTOCOL, "HTTP " + status + " redirect without a Location from " + origin(response.uri())));
                    uri = redirectTarget(response.uri(), location);
                    continue;
                }
                return new Exchange(response, published, sendToken);
            }
            throw new DownloadException(Reason.PROTOCOL, "more than " + MAX_REDIRECTS + " redirects for " + source.label());
        }

        private HttpResponse<InputStream> send(HttpRequest request, long have) throws DownloadException {
            try {
                return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DownloadException(Reason.INTERRUPTED, "download of " + source.label() + " cancelled", e);
            } catch (IOException e) {
                String hint = sameOrigin(request.uri(), hub)
                        ? " — check your network connection, or use --hub-url / QUILL_HUB_URL to point at a reachable hub"
                        : " — check your network connection";
                String kept = have > 0 ? "; the partial download (" + ProgressBar.formatBytes(have)
                        + ") is kept: run the same command again to resume" : "";
                throw new DownloadException(Reason.UNREACHABLE, "cannot reach " + origin(request.uri()) + ": "
                        + describeNetworkFailure(e) + hint + kept, e);
            }
        }

        /** Streams the body onto the end of the partial file, hashing as it goes. */
        private void receive(Exchange exchange, long have, long expectedSize, MessageDigest digest)
                throws DownloadException, ConnectionLost {
            long done = have;
            listener.started(have, expectedSize);
            byte[] chunk = new byte[CHUNK_BYTES];
            ByteBuffer buffer = ByteBuffer.wrap(chunk);
            try (InputStream in = exchange.response.body(); StallWatchdog watchdog = new StallWatchdog(in)) {
                while (true) {
                    int n;
                    try {
                        n = in.read(chunk);
                    } catch (IOException e) {
                        throw new ConnectionLost(e, watchdog.fired() ? stallTimeout : null, done, expectedSize, done - have);
                    }
                    if (n < 0) {
                        break;
                    }
                    watchdog.touch();
                    digest.update(chunk, 0, n);
                    buffer.clear().limit(n);
                    try {
                        while (buffer.hasRemaining()) {
                            channel.write(buffer);
                        }
                    } catch (IOException e) {
                        throw storageError(part, e);
                    }
                    done += n;
                    listener.progressed(done, expectedSize);
                }
                channel.force(false); // the data must be on disk before the rename makes it the model
            } catch (IOException e) {
                throw e instanceof DownloadException de ? de : storageError(part, e);
            } finally {
                listener.stopped(done, expectedSize);
            }
        }

        /** Verifies the complete partial file and renames it into place. */
        private DownloadResult finish(long resumedFrom, long expectedSize, MessageDigest digest, Published published,
                Exchange exchange) throws DownloadException, ConnectionLost {
            long size = partSize();
            byte[] head = readHead();
            if (head.length < GGUF_MAGIC.length || !Arrays.equals(head, 0, 4, GGUF_MAGIC, 0, 4)) {
                discardPartial();
                String contentType = exchange.header("Content-Type");
                throw new DownloadException(Reason.NOT_GGUF, "the server sent something that is not a GGUF file for "
                        + source.label() + " (it starts with " + printable(head)
                        + (contentType == null ? "" : ", content type " + contentType)
                        + "); nothing was saved — check the URL or file name");
            }
            if (expectedSize >= 0 && size < expectedSize) {
                // The body ended cleanly but short (no Content-Length to catch it): resumable like a drop.
                throw new ConnectionLost(new IOException("the response ended early"), null, size, expectedSize, size - resumedFrom);
            }
            if (expectedSize >= 0 && size > expectedSize) {
                discardPartial();
                throw new DownloadException(Reason.SIZE_MISMATCH, "received " + size + " bytes for " + source.label()
                        + " but the server announced " + expectedSize + "; the partial file was deleted");
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            String expected = published.sha256();
            if (expected != null && !expected.equalsIgnoreCase(actual)) {
                discardPartial();
                throw new DownloadException(Reason.CHECKSUM_MISMATCH, "checksum mismatch for " + source.label()
                        + ": expected sha256 " + expected.toLowerCase(Locale.ROOT) + ", got " + actual
                        + " — the download was corrupted or the file changed; the partial file was deleted,"
                        + " run the command again to download it afresh");
            }
            if (expected == null) {
                listener.note("the server publishes no SHA-256 for this file, so it could not be verified");
            }
            try {
                closeQuietly(channel); // some systems cannot rename an open file
                try {
                    Files.move(part, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(part, destination, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw storageError(destination, e);
            }
            deleteQuietly(metaFile);
            return new DownloadResult(destination, DownloadResult.Status.DOWNLOADED, size, actual, expected != null,
                    resumedFrom);
        }

        private long partSize() throws DownloadException {
            try {
                return channel.size();
            } catch (IOException e) {
                throw storageError(part, e);
            }
        }

        private void truncatePart(long size) throws IOException {
            channel.truncate(size);
            channel.position(size);
        }

        private void discardPartial() throws DownloadException {
            try {
                truncatePart(0);
                Files.deleteIfExists(metaFile);
            } catch (IOException e) {
                throw storageError(part, e);
            }
        }

        private MessageDigest hashOfPrefix(long length) throws DownloadException {
            MessageDigest digest = sha256();
            if (length == 0) {
                return digest;
            }
            if (length > 64L << 20) {
                listener.note("checking the " + ProgressBar.formatBytes(length) + " already downloaded");
            }
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
            long position = 0;
            try {
                while (position < length) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), length - position));
                    int n = channel.read(buffer, position);
                    if (n < 0) {
                        break;
                    }
                    buffer.flip();
                    digest.update(buffer);
                    position += n;
                }
            } catch (IOException e) {
                throw storageError(part, e);
            }
            return digest;
        }

        private byte[] readHead() throws DownloadException {
            ByteBuffer head = ByteBuffer.allocate(16);
            try {
                while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
                    // read until 16 bytes or the end of the file
                }
            } catch (IOException e) {
                throw storageError(part, e);
            }
            return Arrays.copyOf(head.array(), head.position());
        }

        private DownloadException httpError(Exchange exchange) {
            int status = exchange.status;
            String host = origin(exchange.response.uri());
            String errorCode = exchange.header("X-Error-Code");
            String serverSays = exchange.header("X-Error-Message");
            String detail = serverSays == null ? "" : " (server: " + printable(serverSays) + ")";
            String what = source.label();
            if (status == 401 || status == 403) {
                if ("RepoNotFound".equals(errorCode) && !exchange.tokenSent) {
                    return new DownloadException(Reason.NOT_FOUND, "repository not found for " + what + " (HTTP " + status
                            + ")" + detail + " — check the name; if it is private, set HF_TOKEN to a token with access");
                }
                String advice = exchange.tokenSent
                        ? "the token in HF_TOKEN was sent but does not give access — for a gated model, accept its"
                        + " license on its Hugging Face page with the account the token belongs to"
                        : "the model may be gated or private, or the repository may not exist — check the name; for a"
                        + " gated model accept its license on its Hugging Face page and set HF_TOKEN to an access token"
                        + " (https://huggingface.co/settings/tokens)";
                return new DownloadException(Reason.ACCESS_DENIED, "access denied to " + what + " (HTTP " + status + " from "
                        + host + ")" + detail + ": " + advice);
            }
            if (status == 404) {
                String missing = switch (errorCode == null ? "" : errorCode) {
                    case "RepoNotFound" -> "repository not found";
                    case "RevisionNotFound" -> "revision not found";
                    case "EntryNotFound" -> "file not found in the repository";
                    default -> "not found";
                };
                return new DownloadException(Reason.NOT_FOUND, missing + ": " + what + " (HTTP 404 from " + host + ")" + detail
                        + " — check the repository, the file name and the revision");
            }
            if (status == 429) {
                return new DownloadException(Reason.SERVER_ERROR, "rate limited by " + host + " (HTTP 429)" + detail
                        + "; wait a minute and try again" + (token == null ? ", or set HF_TOKEN" : ""));
            }
            if (status >= 500) {
                return new DownloadException(Reason.SERVER_ERROR, "server error from " + host + " (HTTP " + status + ")"
                        + detail + " for " + what + "; try again later");
            }
            return new DownloadException(Reason.PROTOCOL, "unexpected answer HTTP " + status + " from " + host + detail
                    + " for " + what);
        }
    }

    /** A response that is not a redirect, with what the hops before it published. */
    private static final class Exchange {
        final HttpResponse<InputStream> response;
        final Published published;
        final boolean tokenSent;
        final int status;

        Exchange(HttpResponse<InputStream> response, Published published, boolean tokenSent) {
            this.response = response;
            this.published = published;
            this.tokenSent = tokenSent;
            this.status = response.statusCode();
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        /** The ETag usable for If-Range: RFC 9110 allows only strong validators there. */
        String strongEtag() {
            String etag = header("ETag");
            return etag == null || etag.startsWith("W/") || !etag.startsWith("\"") ? null : etag;
        }

        void close() {
            closeQuietly(response.body());
        }
    }

    /** The checksum and size the server announces, taken from every hop (the hub puts them on its redirect). */
    static final class Published {
        private String linkedSha256;
        private String etagSha256;
        private long linkedSize = -1;

        void collect(HttpHeaders headers) {
            if (linkedSha256 == null) {
                linkedSha256 = sha256Of(headers.firstValue("X-Linked-Etag").orElse(null));
            }
            if (etagSha256 == null) {
                etagSha256 = sha256Of(headers.firstValue("ETag").orElse(null));
            }
            if (linkedSize < 0) {
                try {
                    linkedSize = headers.firstValue("X-Linked-Size").map(s -> Long.parseLong(s.trim())).orElse(-1L);
                } catch (NumberFormatException e) {
                    linkedSize = -1;
                }
            }
        }

        /** A SHA-256 published when the partial file was started, used when the server no longer says. */
        void rememberedSha256(String sha256) {
            if (etagSha256 == null) {
                etagSha256 = sha256Of(sha256);
            }
        }

        /** The published SHA-256 in lower-case hex, or null. */
        String sha256() {
            String sha = linkedSha256 != null ? linkedSha256 : etagSha256;
            return sha == null ? null : sha.toLowerCase(Locale.ROOT);
        }

        long size() {
            return linkedSize;
        }

        private static String sha256Of(String etag) {
            if (etag == null) {
                return null;
            }
            String e = etag.strip();
            if (e.startsWith("W/")) {
                e = e.substring(2);
            }
            if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
                e = e.substring(1, e.length() - 1);
            }
            return SHA256.matcher(e).matches() ? e : null;
        }
    }

    /** The connection broke mid-body; carries where the partial file stands. */
    private static final class ConnectionLost extends Exception {
        final Duration stalledFor;
        final long have;
        final long total;
        final long receivedThisAttempt;

        ConnectionLost(IOException cause, Duration stalledFor, long have, long total, long receivedThisAttempt) {
            super(cause);
            this.stalledFor = stalledFor;
            this.have = have;
            this.total = total;
            this.receivedThisAttempt = receivedThisAttempt;
        }

        String describeCause() {
            if (stalledFor != null) {
                return "no data received for " + stalledFor.toSeconds() + " s";
            }
            return describeNetworkFailure((IOException) getCause());
        }

        DownloadException toDownloadException(ModelSource source) {
            String of = total >= 0 ? " of " + ProgressBar.formatBytes(total) : "";
            return new DownloadException(Reason.INTERRUPTED, "download of " + source.label() + " interrupted at "
                    + ProgressBar.formatBytes(have) + of + " (" + describeCause() + ")"
                    + (have > 0 ? "; the partial file is kept: run the same command again to resume" : ""), getCause());
        }
    }

    /** Closes the body stream when no byte has arrived for the stall timeout: the HTTP client has no read timeout. */
    private final class StallWatchdog implements AutoCloseable {
        private final Thread thread;
        private volatile long lastActivity = System.nanoTime();
        private volatile boolean fired;

        StallWatchdog(Closeable stream) {
            long limit = stallTimeout.toNanos();
            thread = Thread.ofVirtual().name("quill-pull-watchdog").start(() -> {
                try {
                    while (true) {
                        long left = limit - (System.nanoTime() - lastActivity);
                        if (left <= 0) {
                            fired = true;
                            closeQuietly(stream); // wakes the reader blocked in read() with an IOException
                            return;
                        }
                        Thread.sleep(Duration.ofNanos(left));
                    }
                } catch (InterruptedException e) {
                    // the download ended first
                }
            });
        }

        void touch() {
            lastActivity = System.nanoTime();
        }

        boolean fired() {
            return fired;
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }

    public static final class Builder {
        private URI hub = ModelSource.DEFAULT_HUB;
        private String token;
        private Duration connectTimeout = Duration.ofSeconds(20);
        private Duration responseTimeout = Duration.ofSeconds(60);
        private Duration stallTimeout = Duration.ofSeconds(60);
        private int retries = 3;
        private Duration retryDelay = Duration.ofSeconds(2);

        private Builder() {
        }

        /** The hub that {@code ORG/REPO FILE} resolves against, and the only origin the token is sent to. */
        public Builder hub(URI hub) {
            this.hub = Objects.requireNonNull(hub);
            return this;
        }

        /** A Hugging Face access token for gated or private models; null or blank for none. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connect timeout");
            return this;
        }

        /** How long to wait for a response's headers. */
        public Builder responseTimeout(Duration timeout) {
            this.responseTimeout = positive(timeout, "response timeout");
            return this;
        }

        /** How long the body may deliver nothing before the connection counts as lost. */
        public Builder stallTimeout(Duration timeout) {
            this.stallTimeout = positive(timeout, "stall timeout");
            return this;
        }

        /** How many times a connection lost mid-download is resumed automatically (0: never). */
        public Builder retries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("retries must be >= 0, got " + retries);
            }
            this.retries = retries;
            return this;
        }

        /** The pause before the first automatic resume; it doubles for each further one. */
        public Builder retryDelay(Duration delay) {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("retry delay must not be negative");
            }
            this.retryDelay = delay;
            return this;
        }

        public ModelDownloader build() {
            return new ModelDownloader(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return d;
        }
    }

    // ---- helpers ----

    private static Path prepareDirectory(Path modelsDir) throws DownloadException {
        Objects.requireNonNull(modelsDir, "modelsDir");
        try {
            Files.createDirectories(modelsDir);
        } catch (FileAlreadyExistsException e) {
            throw new DownloadException(Reason.STORAGE, "models directory " + modelsDir + " exists but is not a directory");
        } catch (AccessDeniedException e) {
            throw new DownloadException(Reason.STORAGE, "cannot create models directory " + modelsDir + ": permission denied");
        } catch (IOException e) {
            throw new DownloadException(Reason.STORAGE, "cannot create models directory " + modelsDir + ": " + e.getMessage(), e);
        }
        if (!Files.isWritable(modelsDir)) {
            throw new DownloadException(Reason.STORAGE, "models directory " + modelsDir
                    + " is not writable; fix its permissions or use --models-dir");
        }
        return modelsDir;
    }

    private static FileChannel openPart(Path part) throws DownloadException {
        try {
            return FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw storageError(part, e);
        }
    }

    private static void lockPart(FileChannel channel, Path part) throws DownloadException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            return; // a file system without locks (some network mounts): go on without one
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new DownloadException(Reason.STORAGE, part + " is being downloaded by another quill pull; wait for it to finish");
        }
    }

    private static void checkFreeSpace(Path dir, long needed) throws IOException {
        if (needed <= 0) {
            return;
        }
        long free = Files.getFileStore(dir).getUsableSpace();
        if (needed > free) {
            throw new DownloadException(Reason.STORAGE, "not enough disk space: the download needs "
                    + ProgressBar.formatBytes(needed) + " more but only " + ProgressBar.formatBytes(free) + " is free");
        }
    }

    static DownloadException storageError(Path file, IOException e) {
        if (e instanceof ClosedByInterruptException) {
            return new DownloadException(Reason.INTERRUPTED, "download cancelled", e);
        }
        String message = String.valueOf(e.getMessage());
        if (message.contains("No space left") || message.contains("Disk quota") || message.contains("not enough space")) {
            return new DownloadException(Reason.STORAGE, "the disk is full: cannot write " + file
                    + "; free some space and run the same command again to resume", e);
        }
        if (e instanceof AccessDeniedException) {
            return new DownloadException(Reason.STORAGE, "cannot write " + file + ": permission denied", e);
        }
        return new DownloadException(Reason.STORAGE, "cannot write " + file + ": " + message, e);
    }

    /** Says in a few words why a connection failed, from the most telling exception in the chain. */
    static String describeNetworkFailure(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return "the host name cannot be resolved (offline, or no DNS)";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpConnectTimeoutException) {
                return "connection timed out";
            }
            if (t instanceof HttpTimeoutException) {
                return "no response in time";
            }
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof SSLException) {
                return "secure connection failed (" + t.getMessage() + ")";
            }
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** Where a redirect points, refusing targets that are not http(s) or that drop to plain http over a network. */
    static URI redirectTarget(URI from, String location) throws DownloadException {
        URI target;
        try {
            target = from.resolve(location.strip());
        } catch (IllegalArgumentException e) {
            throw new DownloadException(Reason.PROTOCOL, "invalid redirect from " + origin(from) + ": " + location);
        }
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (target.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new DownloadException(Reason.PROTOCOL, "refusing a redirect from " + origin(from) + " to " + target);
        }
        if (scheme.equals("http") && !ModelSource.isLoopback(target.getHost())) {
            throw new DownloadException(Reason.PROTOCOL, "refusing a redirect from " + origin(from)
                    + " to an insecure http URL (" + origin(target) + ")");
        }
        return target;
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && effectivePort(a) == effectivePort(b);
    }

    private static int effectivePort(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    static String origin(URI u) {
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    /** [start, end, total] of {@code bytes start-end/total} (total -1 for '*'); null if malformed. */
    static long[] parseContentRange(String header) {
        if (header == null) {
            return null;
        }
        Matcher m = CONTENT_RANGE.matcher(header.strip());
        if (!m.matches()) {
            return null;
        }
        try {
            long start = Long.parseLong(m.group(1));
            long end = Long.parseLong(m.group(2));
            long total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            if (end < start || (total >= 0 && end >= total)) {
                return null;
            }
            return new long[] {start, end, total};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The total of a 416's {@code bytes *}{@code /total}, or -1. */
    static long parseUnsatisfiedRange(String header) {
        if (header == null) {
            return -1;
        }
        Matcher m = UNSATISFIED_RANGE.matcher(header.strip());
        try {
            return m.matches() ? Long.parseLong(m.group(1)) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Bytes shown safely in a message: printable ASCII kept, the rest escaped, at most 200 characters. */
    static String printable(byte[] bytes) {
        return printable(new String(bytes, StandardCharsets.ISO_8859_1));
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append(String.format("\\x%02x", (int) c & 0xff));
            }
        }
        return b.append('"').toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void sleep(long millis) throws DownloadException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DownloadException(Reason.INTERRUPTED, "download cancelled", e);
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException e) {
            // nothing useful to do: the stream or file is being abandoned
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // leftover clutter is harmless; the next run overwrites it
        }
    }
}
