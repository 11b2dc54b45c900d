package dev.quill.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quill.testutil.SharedData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful shutdown of the packaged server: on SIGTERM a stream already running finishes (or, past
 * quill.shutdown-timeout, ends with a final error event), and the process exits.
 */
class ShutdownDrainIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TOKENS = 400;

    /** What one streamed request saw. */
    record Stream(List<JsonNode> chunks, boolean done, long endNanos) {
        String finishReason() {
            for (JsonNode c : chunks) {
                JsonNode r = c.path("choices").path(0).path("finish_reason");
                if (r.isTextual()) {
                    return r.asText();
                }
            }
            return null;
        }

        int completionTokens() {
            return chunks.stream().filter(c -> c.has("usage") && c.get("usage").isObject())
                    .mapToInt(c -> c.at("/usage/completion_tokens").asInt()).max().orElse(-1);
        }

        String errorCode() {
            return chunks.stream().filter(c -> c.has("error")).map(c -> c.at("/error/code").asText()).findFirst().orElse(null);
        }
    }

    @Test
    void sigtermLetsARunningStreamFinish(@TempDir Path work) throws Exception {
        try (Server server = Server.start(work, "30s")) {
            CompletableFuture<Stream> stream = server.streamAndSignalFirstEvent();
            server.awaitFirstEvent();
            long sigterm = System.nanoTime();
            server.sigterm();
            Stream s = stream.get(120, TimeUnit.SECONDS);
            assertEquals("length", s.finishReason(), "the stream finished after SIGTERM: " + server.log());
            assertTrue(s.endNanos() > sigterm, "the stream was still running when SIGTERM was sent");
            assertEquals(TOKENS, s.completionTokens());
            assertTrue(s.done(), "the stream ended with [DONE]");
            assertTrue(server.process.waitFor(60, TimeUnit.SECONDS), "the server exited after draining");
            server.reader.join(10_000);
            assertTrue(server.log().contains("shutdown: all requests finished"), server.log());
        }
    }

    @Test
    void pastTheDeadlineARunningStreamEndsWithAnErrorEvent(@TempDir Path work) throws Exception {
        try (Server server = Server.start(work, "20ms")) {
            CompletableFuture<Stream> stream = server.streamAndSignalFirstEvent();
            server.awaitFirstEvent();
            server.sigterm();
            Stream s = stream.get(120, TimeUnit.SECONDS);
            assertEquals("shutting_down", s.errorCode(), "chunks: " + s.chunks() + "\n" + server.log());
            assertTrue(s.completionTokens() < TOKENS);
            assertTrue(server.process.waitFor(60, TimeUnit.SECONDS), "the server exited");
            server.reader.join(10_000);
            assertTrue(server.log().contains("requests still running were ended"), server.log());
        }
    }

    /** quill serve through the launcher on stories260K, one thread, with a given drain deadline. */
    static final class Server implements AutoCloseable {
        final Process process;
        final int port;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> firstEvent = new CompletableFuture<>();
        final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final Thread reader;

        private Server(Process process, int port) {
            this.process = process;
            this.port = port;
            reader = Thread.ofVirtual().start(() -> {
                try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
        }

        static Server start(Path work, String shutdownTimeout) throws Exception {
            ProjectFiles.quarkusApp();
            Files.createDirectories(work.resolve("models"));
            Files.copy(SharedData.model("stories260K.gguf"), work.resolve("models/stories260K.gguf"));
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            ProcessBuilder pb = new ProcessBuilder(ProjectFiles.root().resolve("quill").toString(), "serve", "--models-dir",
                    work.resolve("models").toString(), "--port", Integer.toString(port), "--threads", "1", "--ctx-size", "512",
                    "--preload").directory(work.toFile()).redirectErrorStream(true);
            pb.environment().put("QUILL_SHUTDOWN_TIMEOUT", shutdownTimeout);
            pb.environment().put("QUILL_IMPORT_PROMPTS", "false");
            Server server = new Server(pb.start(), port);
            for (int i = 0; i < 240; i++) {
                try {
                    HttpResponse<String> r = server.client.send(HttpRequest.newBuilder(server.uri("/q/health/ready")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        return server;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                assertTrue(server.process.isAlive(), "the server exited: " + server.log());
                Thread.sleep(500);
            }
            server.close();
            throw new AssertionError("the server did not become ready: " + server.log());
        }

        /** SIGTERM, as Kubernetes sends it; unlike Process.destroy() this keeps reading the server's output. */
        void sigterm() {
            process.toHandle().destroy();
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        String log() {
            return String.join("\n", lines);
        }

        /** Streams 400 tokens (end of text banned) and completes the first-event signal at the first token. */
        CompletableFuture<Stream> streamAndSignalFirstEvent() {
            String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}],\"max_tokens\":" + TOKENS
                    + ",\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true},\"logit_bias\":{\"2\":-100}}";
            return CompletableFuture.supplyAsync(() -> {
                List<JsonNode> chunks = new ArrayList<>();
                boolean done = false;
                try {
                    HttpResponse<java.util.stream.Stream<String>> r = client.send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofLines());
                    try (var lines = r.body()) {
                        for (String line : (Iterable<String>) lines::iterator) {
                            if (!line.startsWith("data: ")) {
                                continue;
                            }
                            if (line.equals("data: [DONE]")) {
                                done = true;
                                break;
                            }
                            chunks.add(JSON.readTree(line.substring(6)));
                            firstEvent.complete(null);
                        }
                    }
                } catch (IOException e) {
                    // A connection closed by the stopping server ends what the client saw.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                firstEvent.complete(null);
                return new Stream(chunks, done, System.nanoTime());
            });
        }

        void awaitFirstEvent() throws Exception {
            firstEvent.get(60, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }
}
