package dev.quill.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quill.testutil.SharedData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher (deploy/quill, linked as ./quill) on the jar that `package` built, as a user runs it. */
class LauncherIT {
    private static final Pattern MAX_HEAP = Pattern.compile("size_t MaxHeapSize\\s+= (\\d+)");

    private static ProjectFiles.Result quill(Map<String, String> env, String... args) {
        ProjectFiles.quarkusApp();
        var command = new java.util.ArrayList<>(List.of(ProjectFiles.root().resolve("quill").toString()));
        command.addAll(List.of(args));
        return ProjectFiles.run(command, env, ProjectFiles.root(), 120);
    }

    @Test
    void helpListsEveryCommandWithoutTheIncubatorWarning() {
        var r = quill(Map.of(), "--help");
        assertEquals(0, r.exit(), r.toString());
        for (String command : List.of("serve", "generate", "inspect", "pull", "synth", "bench", "prompts", "health")) {
            assertTrue(r.out().contains("\n  " + command + " "), command + " missing: " + r);
        }
        assertFalse(r.err().contains("incubator"), "the launcher drops the JVM's incubator notice: " + r);
    }

    @Test
    void generateRunsTheVectorKernelsOnARealModel() {
        Path model = SharedData.model("stories260K.gguf");
        var r = quill(Map.of(), "generate", "--model", model.toString(), "--prompt", "Once upon a time",
                "--temperature", "0", "--max-tokens", "12");
        // Without --add-modules=jdk.incubator.vector this fails with NoClassDefFoundError.
        assertEquals(0, r.exit(), r.toString());
        assertFalse(r.out().isBlank(), r.toString());
        assertTrue(r.err().contains("tokens"), "the figures line goes to stderr: " + r);
    }

    @Test
    void quillHeapSetsTheHeapAsASizeOrAShareOfMemory() {
        String flags = "-XX:+PrintFlagsFinal";
        assertEquals(300.0, maxHeapMiB(quill(Map.of("QUILL_HEAP", "300m", "JAVA_OPTS", flags), "--help")), 0.01);
        // The JVM's view of the memory (a container's limit inside one), as the launched JVM sees it too.
        double total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize() / (1024.0 * 1024.0);
        double tenPercent = maxHeapMiB(quill(Map.of("QUILL_HEAP", "10%", "JAVA_OPTS", flags), "--help"));
        assertEquals(total * 0.10, tenPercent, total * 0.005, "10% of " + total + " MiB");
        double byDefault = maxHeapMiB(quill(Map.of("JAVA_OPTS", flags), "--help"));
        assertEquals(total * 0.25, byDefault, total * 0.005, "25% of " + total + " MiB by default");
        // JAVA_OPTS comes after the launcher's options, so it wins.
        assertEquals(200.0, maxHeapMiB(quill(Map.of("QUILL_HEAP", "300m", "JAVA_OPTS", "-Xmx200m " + flags), "--help")), 0.01);
    }

    @Test
    void objectsAreCacheLineAlignedForTheKernels() {
        var r = quill(Map.of("JAVA_OPTS", "-XX:+PrintFlagsFinal"), "--help");
        assertEquals(0, r.exit(), r.toString());
        // TiledMatMul.ALIGNED puts the kernels' arrays on cache lines only with 64-byte objects.
        Matcher m = Pattern.compile("ObjectAlignmentInBytes\\s+=\\s+(\\d+)").matcher(r.out());
        assertTrue(m.find(), "no ObjectAlignmentInBytes in " + r);
        assertEquals("64", m.group(1), r.toString());
    }

    /** MaxHeapSize as the JVM settled it, from -XX:+PrintFlagsFinal. */
    private static double maxHeapMiB(ProjectFiles.Result r) {
        assertEquals(0, r.exit(), r.toString());
        Matcher m = MAX_HEAP.matcher(r.out());
        assertTrue(m.find(), "no MaxHeapSize in " + r);
        return Long.parseLong(m.group(1)) / (1024.0 * 1024.0);
    }

    @Test
    void badSettingsAreClearErrors() {
        for (String bad : List.of("lots", "0", "150%", "2 g")) {
            var r = quill(Map.of("QUILL_HEAP", bad), "--help");
            assertEquals(2, r.exit(), bad + ": " + r);
            assertTrue(r.err().contains("QUILL_HEAP must be") && r.err().contains("'" + bad + "'"), r.toString());
        }
        var missing = quill(Map.of("QUILL_JAR", "/nonexistent/quill.jar"), "--help");
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("/nonexistent/quill.jar is missing; build it first"), missing.toString());
        var unknown = quill(Map.of(), "frobnicate");
        assertEquals(2, unknown.exit(), unknown.toString());
        assertTrue(unknown.err().contains("unknown command 'frobnicate'"), unknown.toString());
    }

    /** quill serve through the launcher: JSON log lines carry the request id; SIGTERM stops it. */
    @Test
    void serveLogsJsonWithRequestIdsAndStopsOnSigterm(@TempDir Path work) throws Exception {
        Path model = SharedData.model("stories260K.gguf");
        ProjectFiles.quarkusApp();
        Files.createDirectories(work.resolve("models"));
        Files.copy(model, work.resolve("models/stories260K.gguf"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process server = new ProcessBuilder(ProjectFiles.root().resolve("quill").toString(), "serve", "--models-dir",
                work.resolve("models").toString(), "--port", Integer.toString(port), "--log-json")
                .directory(work.toFile()).redirectErrorStream(true).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> response = null;
            for (int i = 0; i < 120 && response == null; i++) {
                try {
                    response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models"))
                            .header("X-Request-Id", "launcher-it-1").build(), HttpResponse.BodyHandlers.ofString());
                } catch (IOException notYet) {
                    assertTrue(server.isAlive(), "the server exited: " + String.join("\n", lines));
                    Thread.sleep(500);
                }
            }
            assertTrue(response != null, "the server did not answer within a minute: " + String.join("\n", lines));
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("launcher-it-1", response.headers().firstValue("X-Request-Id").orElse(null));

            ObjectMapper json = new ObjectMapper();
            JsonNode requestLine = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (requestLine == null && System.nanoTime() < deadline) {
                String line = lines.poll(200, TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith("{")) {
                    JsonNode node = json.readTree(line); // every log line must be one JSON object
                    if ("launcher-it-1".equals(node.at("/mdc/request_id").asText(null))) {
                        requestLine = node;
                    }
                }
            }
            assertTrue(requestLine != null, "no JSON log line with mdc.request_id: " + String.join("\n", lines));
            assertEquals("GET /v1/models 200", requestLine.get("message").asText().replaceAll(" in \\d+ ms$", ""));
            assertEquals("INFO", requestLine.get("level").asText());
        } finally {
            server.destroy(); // SIGTERM, as Kubernetes sends it
            boolean stopped = server.waitFor(30, TimeUnit.SECONDS);
            if (!stopped) {
                server.destroyForcibly();
            }
            reader.join(5000);
            assertTrue(stopped, "quill serve did not stop within 30 s of SIGTERM");
        }
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("{") && l.contains("\"level\":\"ERROR\"")),
                "no error logged: " + String.join("\n", lines));
    }
}
