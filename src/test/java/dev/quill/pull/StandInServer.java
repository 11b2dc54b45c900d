package dev.quill.pull;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local HTTP server on 127.0.0.1 standing in for the Hugging Face hub and its CDN, recording every
 * request it sees. Each path answers with a {@link Responder}; unknown paths get a 404.
 */
public final class StandInServer implements AutoCloseable {
    /** A request as the server saw it; header names are case-insensitive. */
    public record Seen(String method, String path, Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    @FunctionalInterface
    public interface Responder {
        void respond(HttpExchange exchange) throws IOException;
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Map<String, Responder> routes = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    public StandInServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
            String path = exchange.getRequestURI().getRawPath();
            seen.add(new Seen(exchange.getRequestMethod(), path, headers));
            Responder responder = routes.get(path);
            try {
                if (responder == null) {
                    sendText(exchange, 404, "text/plain", "no such path");
                } else {
                    responder.respond(exchange);
                }
            } finally {
                // After a responder that sent fewer bytes than announced, this drops the connection.
                exchange.close();
            }
        });
        server.start();
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public URI url(String path) {
        return URI.create(base() + path);
    }

    public StandInServer on(String path, Responder responder) {
        routes.put(path, responder);
        return this;
    }

    public List<Seen> requests() {
        return List.copyOf(seen);
    }

    public List<Seen> requestsTo(String path) {
        return seen.stream().filter(s -> s.path().equals(path)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** A port on this machine that nothing listens on: connecting to it is refused. */
    public static int refusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // ---- responders ----

    /** A 302 to {@code location} with extra headers, as the hub redirects LFS files to its CDN. */
    public static Responder redirect(String location, Map<String, String> headers) {
        return exchange -> {
            headers.forEach(exchange.getResponseHeaders()::add);
            exchange.getResponseHeaders().add("Location", location);
            exchange.sendResponseHeaders(302, -1);
        };
    }

    /** Serves {@code data} with its ETag; honours {@code Range} (and {@code If-Range}) when asked to. */
    public static Responder file(byte[] data, String etag, boolean honourRanges) {
        return exchange -> {
            Headers h = exchange.getResponseHeaders();
            h.add("Content-Type", "application/octet-stream");
            if (etag != null) {
                h.add("ETag", etag);
            }
            String range = exchange.getRequestHeaders().getFirst("Range");
            String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
            boolean rangeApplies = honourRanges && range != null && (ifRange == null || ifRange.equals(etag));
            if (honourRanges) {
                h.add("Accept-Ranges", "bytes");
            }
            if (!rangeApplies) {
                exchange.sendResponseHeaders(200, data.length);
                exchange.getResponseBody().write(data);
                return;
            }
            Matcher m = RANGE.matcher(range);
            if (!m.matches()) {
                throw new IOException("unexpected Range " + range);
            }
            int from = Integer.parseInt(m.group(1));
            if (from >= data.length) {
                h.add("Content-Range", "bytes */" + data.length);
                exchange.sendResponseHeaders(416, -1);
                return;
            }
            h.add("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
            exchange.sendResponseHeaders(206, data.length - from);
            exchange.getResponseBody().write(data, from, data.length - from);
        };
    }

    /**
     * Announces all of {@code data} but sends only its first {@code cutAt} bytes, waits until
     * {@code clientHasBytes} opens (the client wrote them to disk), then drops the connection.
     */
    public static Responder dropAfter(byte[] data, int cutAt, CountDownLatch clientHasBytes) {
        return exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, data.length);
            OutputStream body = exchange.getResponseBody();
            body.write(data, 0, cutAt);
            body.flush();
            await(clientHasBytes);
            // Closing with bytes still owed makes the server drop the connection.
        };
    }

    /** Sends the first {@code cutAt} bytes, then goes silent until {@code release} opens. */
    public static Responder stallAfter(byte[] data, int cutAt, CountDownLatch release) {
        return exchange -> {
            exchange.sendResponseHeaders(200, data.length);
            OutputStream body = exchange.getResponseBody();
            body.write(data, 0, cutAt);
            body.flush();
            await(release);
        };
    }

    /** A status with a text body and extra headers. */
    public static Responder status(int code, String contentType, String body, Map<String, String> headers) {
        return exchange -> {
            headers.forEach(exchange.getResponseHeaders()::add);
            sendText(exchange, code, contentType, body);
        };
    }

    /** Uses {@code first} for the first request and {@code rest} for every later one. */
    public static Responder firstThen(Responder first, Responder rest) {
        var calls = new java.util.concurrent.atomic.AtomicInteger();
        return exchange -> (calls.getAndIncrement() == 0 ? first : rest).respond(exchange);
    }

    private static void sendText(HttpExchange exchange, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    private static void await(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new IOException("the test never opened the latch");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
