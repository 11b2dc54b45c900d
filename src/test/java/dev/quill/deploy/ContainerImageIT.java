package dev.quill.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quill.testutil.SharedData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container image tarball that deploy/image/build writes: read back with a tar reader of its
 * own (not the builder's code), checked as a registry and a container runtime would see it, and,
 * when the test runs as root, its file system run as the image says (user, environment,
 * entrypoint, health check) under chroot.
 */
class ContainerImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path tarball;
    private static Map<String, byte[]> files;
    private static JsonNode config;
    private static List<Map<String, TarEntry>> layers;

    record TarEntry(String path, char type, int mode, int uid, String link, byte[] data) {
    }

    @BeforeAll
    static void build() throws Exception {
        ProjectFiles.quarkusApp();
        tarball = ProjectFiles.root().resolve("target/quill-image.tar");
        var r = ProjectFiles.run(List.of(ProjectFiles.root().resolve("deploy/image/build").toString()), Map.of(),
                ProjectFiles.root(), 480);
        assertEquals(0, r.exit(), r.toString());
        files = new LinkedHashMap<>();
        for (TarEntry e : readTar(Files.newInputStream(tarball))) {
            files.put(e.path(), e.data());
        }
        JsonNode index = json("index.json");
        assertEquals(1, index.get("manifests").size(), index.toString());
        JsonNode manifest = JSON.readTree(blob(index.at("/manifests/0/digest").asText()));
        config = JSON.readTree(blob(manifest.at("/config/digest").asText()));
        layers = new ArrayList<>();
        for (JsonNode layer : manifest.get("layers")) {
            assertEquals("application/vnd.oci.image.layer.v1.tar+gzip", layer.get("mediaType").asText());
            byte[] gz = blob(layer.get("digest").asText());
            assertEquals(layer.get("size").asLong(), gz.length);
            byte[] tar = new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes();
            // The config names each layer by the digest of its uncompressed tar.
            assertEquals(config.at("/rootfs/diff_ids/" + layers.size()).asText(), "sha256:" + sha256(tar));
            Map<String, TarEntry> entries = new LinkedHashMap<>();
            for (TarEntry e : readTar(new ByteArrayInputStream(tar))) {
                entries.put(e.path(), e);
            }
            layers.add(entries);
        }
    }

    private static JsonNode json(String name) throws IOException {
        assertTrue(files.containsKey(name), name + " missing from the tarball: " + files.keySet());
        return JSON.readTree(files.get(name));
    }

    /** A blob by digest; its content must hash to its name. */
    private static byte[] blob(String digest) throws Exception {
        assertTrue(digest.startsWith("sha256:"), digest);
        byte[] data = files.get("blobs/sha256/" + digest.substring(7));
        assertTrue(data != null, "blob " + digest + " missing");
        assertEquals(digest.substring(7), sha256(data), "blob content does not match its digest");
        return data;
    }

    @Test
    void dockerAndOciViewsNameTheSameImage() throws Exception {
        assertEquals("1.0.0", json("oci-layout").get("imageLayoutVersion").asText());
        JsonNode docker = json("manifest.json").get(0);
        assertEquals("quill:0.1.0", docker.at("/RepoTags/0").asText());
        JsonNode index = json("index.json");
        assertEquals("docker.io/library/quill:0.1.0", index.at("/manifests/0/annotations/io.containerd.image.name").asText());
        JsonNode manifest = JSON.readTree(blob(index.at("/manifests/0/digest").asText()));
        assertEquals("blobs/sha256/" + manifest.at("/config/digest").asText().substring(7), docker.get("Config").asText());
        for (int i = 0; i < manifest.get("layers").size(); i++) {
            assertEquals("blobs/sha256/" + manifest.at("/layers/" + i + "/digest").asText().substring(7),
                    docker.at("/Layers/" + i).asText());
        }
        assertEquals("amd64", config.get("architecture").asText());
        assertEquals("linux", config.get("os").asText());
    }

    @Test
    void runsAsANonRootUserOnPort8080WithModelsAsAVolume() {
        JsonNode c = config.get("config");
        String user = c.get("User").asText();
        assertTrue(user.matches("[1-9][0-9]*:[1-9][0-9]*"), "a numeric non-root user, so Kubernetes can verify runAsNonRoot: " + user);
        assertTrue(c.get("ExposedPorts").has("8080/tcp"), c.toString());
        assertTrue(c.get("Volumes").has("/models"), c.toString());
        Map<String, String> env = env();
        assertEquals("/models", env.get("QUILL_MODELS_DIR"));
        assertEquals("0.0.0.0", env.get("QUARKUS_HTTP_HOST"), "reachable from outside the container");
        // The folders the server writes to belong to that user.
        int uid = Integer.parseInt(user.substring(0, user.indexOf(':')));
        TarEntry models = find("models");
        assertEquals(uid, models.uid());
        assertEquals(uid, find(env.get("QUILL_DATA_DIR").substring(1).replaceAll("/data$", "")).uid());
        assertEquals(01777, find("tmp").mode(), "the JVM needs a writable /tmp");
    }

    @Test
    void theEntrypointPassesTheVectorModuleAndJavaOpts() {
        JsonNode c = config.get("config");
        assertEquals("/opt/quill/bin/quill", c.at("/Entrypoint/0").asText());
        assertEquals("serve", c.at("/Cmd/0").asText());
        TarEntry entrypoint = find("opt/quill/bin/quill");
        assertEquals(0755, entrypoint.mode());
        String script = new String(entrypoint.data(), StandardCharsets.UTF_8);
        assertTrue(script.startsWith("#!/bin/sh\n"), script);
        assertEquals('0', find("bin/sh").type(), "the script's interpreter is in the image");
        assertTrue(script.contains("--add-modules=jdk.incubator.vector") && script.contains("${JAVA_OPTS:-}")
                && script.contains("-jar /opt/quill/quarkus-run.jar \"$@\""), script);
        assertTrue(find("opt/java/bin/java").mode() == 0755);
    }

    @Test
    void theHealthCheckAsksQuillHealth() {
        JsonNode h = config.at("/config/Healthcheck");
        assertEquals("[\"CMD\",\"/opt/quill/bin/quill\",\"health\"]", h.get("Test").toString());
        assertTrue(h.get("Interval").asLong() >= 10_000_000_000L && h.get("StartPeriod").asLong() > 0, h.toString());
    }

    @Test
    void layersSeparateRuntimeDependenciesAndApplication() {
        assertEquals(4, layers.size());
        assertEquals(config.get("history").size(), layers.size());
        assertTrue(layers.get(0).containsKey("lib64/ld-linux-x86-64.so.2") && layers.get(0).containsKey("etc/passwd"));
        assertTrue(layers.get(1).containsKey("opt/java/bin/java") && layers.get(1).containsKey("opt/java/lib/modules"));
        assertTrue(layers.get(2).keySet().stream().anyMatch(p -> p.startsWith("opt/quill/lib/main/io.quarkus.")),
                "dependencies in the third layer");
        assertTrue(layers.get(3).containsKey("opt/quill/app/quill.jar") && layers.get(3).containsKey("opt/quill/quarkus-run.jar"));
        assertTrue(layers.get(3).keySet().stream().anyMatch(p -> p.startsWith("opt/quill/prompts/") && p.endsWith(".md")));
        for (int i = 0; i < layers.size(); i++) {
            for (int j = i + 1; j < layers.size(); j++) {
                for (TarEntry e : layers.get(j).values()) {
                    assertTrue(e.type() == '5' || !layers.get(i).containsKey(e.path()), e.path() + " in two layers");
                }
            }
        }
        assertTrue(layers.get(3).values().stream().noneMatch(e -> e.path().endsWith(".jar") && e.path().contains("/lib/")),
                "no dependency jar in the application layer");
    }

    @Test
    void rebuildingGivesTheSameDigest() throws Exception {
        String before = sha256(Files.readAllBytes(tarball));
        var r = ProjectFiles.run(List.of(ProjectFiles.root().resolve("deploy/image/build").toString()), Map.of(),
                ProjectFiles.root(), 480);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(before, sha256(Files.readAllBytes(tarball)), "same inputs, same image");
    }

    @Test
    void badBuildOptionsAreRefused() {
        var r = ProjectFiles.run(List.of(ProjectFiles.root().resolve("deploy/image/build").toString(), "--tag", "Quill"),
                Map.of(), ProjectFiles.root(), 60);
        assertEquals(2, r.exit(), r.toString());
        assertTrue(r.err().contains("--tag must be NAME:TAG"), r.toString());
    }

    @Test
    void deploymentRunsTheImageThatIsBuilt() throws IOException {
        String deployment = Files.readString(ProjectFiles.root().resolve("deploy/k8s/quill-deployment.yaml"));
        var images = java.util.regex.Pattern.compile("(?m)^\\s+image: (\\S+)$").matcher(deployment).results()
                .map(m -> m.group(1)).toList();
        assertEquals(List.of("quill:0.1.0", "quill:0.1.0"), images, "init container and server run the built image");
    }

    /**
     * The image's file system, run as the image's user with its environment, entrypoint and
     * command, under chroot (root only): quill generate on a model in /models, JAVA_OPTS and
     * QUILL_HEAP reaching the JVM, and quill serve answering the image's own health check.
     */
    @Test
    void theFileSystemRunsTheServerAndItsHealthCheck(@TempDir Path dir) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/unshare"))
                && Files.isExecutable(Path.of("/usr/sbin/chroot")), "needs root, unshare and chroot; skipping the run of the image");
        Path root = dir.resolve("rootfs");
        for (Map<String, TarEntry> layer : layers) {
            for (TarEntry e : layer.values()) {
                Path p = root.resolve(e.path());
                switch (e.type()) {
                    case '5' -> Files.createDirectories(p);
                    case '2' -> {
                        Files.createDirectories(p.getParent());
                        Files.createSymbolicLink(p, Path.of(e.link()));
                    }
                    default -> {
                        Files.createDirectories(p.getParent());
                        Files.write(p, e.data());
                    }
                }
                if (e.type() != '2') {
                    Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(perms(e.mode())));
                    Files.setAttribute(p, "unix:uid", e.uid());
                    Files.setAttribute(p, "unix:gid", e.uid());
                }
            }
        }
        Path model = SharedData.model("stories260K.gguf");
        Files.copy(model, root.resolve("models/stories260K.gguf"));
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("dev"));

        var generate = inImage(root, Map.of(), List.of("generate", "--model", "/models/stories260K.gguf", "--prompt",
                "Once upon a time", "--temperature", "0", "--max-tokens", "8")).waitFor(120);
        assertEquals(0, generate.exit(), generate.toString());
        assertTrue(generate.out().startsWith("Once upon a time, there was"), generate.toString());

        var heap = inImage(root, Map.of("QUILL_HEAP", "200m", "JAVA_OPTS", "-XX:+PrintFlagsFinal -Dx=1"), List.of("--help"))
                .waitFor(120);
        assertEquals(0, heap.exit(), heap.toString());
        assertTrue(heap.out().matches("(?s).*size_t MaxHeapSize\\s+= " + 200L * 1024 * 1024 + "\\b.*"), "QUILL_HEAP and JAVA_OPTS reach the JVM");

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Running server = inImage(root, Map.of("QUARKUS_HTTP_PORT", Integer.toString(port)), List.of());
        try {
            List<String> check = new ArrayList<>();
            config.at("/config/Healthcheck/Test").forEach(n -> check.add(n.asText()));
            ProjectFiles.Result health = null;
            for (int i = 0; i < 60; i++) {
                health = inImage(root, Map.of("QUARKUS_HTTP_PORT", Integer.toString(port)), check.subList(1, check.size()),
                        true).waitFor(60);
                if (health.exit() == 0 || !server.process().isAlive()) {
                    break;
                }
                Thread.sleep(1000);
            }
            if (!server.process().isAlive()) {
                throw new AssertionError("the server exited: " + server.waitFor(5));
            }
            assertEquals(0, health.exit(), "the health check never passed: " + health);
            assertTrue(health.out().contains("\"status\": \"UP\"") || health.out().contains("\"status\":\"UP\""), health.toString());
        } finally {
            server.process().destroy();
            assertTrue(server.process().waitFor(30, TimeUnit.SECONDS), "the server stops on SIGTERM");
        }
    }

    private record Running(Process process, Path out, Path err) {
        ProjectFiles.Result waitFor(int seconds) throws Exception {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("still running after " + seconds + " s");
            }
            return new ProjectFiles.Result(process.exitValue(), Files.readString(out), Files.readString(err));
        }
    }

    private static Running inImage(Path root, Map<String, String> extraEnv, List<String> args) throws IOException {
        return inImage(root, extraEnv, args, false);
    }

    /** The image's entrypoint (with its Cmd when no args replace it), as its user, with its env, under chroot. */
    private static Running inImage(Path root, Map<String, String> extraEnv, List<String> args, boolean replaceEntrypoint)
            throws IOException {
        JsonNode c = config.get("config");
        // A private mount namespace: /proc and /dev are mounted for the JVM and vanish with the process.
        List<String> command = new ArrayList<>();
        command.addAll(List.of("/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                "r=\"$1\" u=\"$2\" w=\"$3\"; shift 3; mount -t proc proc \"$r/proc\" && mount --rbind /dev \"$r/dev\" "
                        + "&& exec /usr/sbin/chroot --userspec=\"$u\" \"$r\" /bin/sh -c 'cd \"$0\" && exec \"$@\"' \"$w\" \"$@\"",
                "sh", root.toString(), c.get("User").asText(), c.get("WorkingDir").asText()));
        if (!replaceEntrypoint) {
            c.get("Entrypoint").forEach(n -> command.add(n.asText()));
            if (args.isEmpty()) {
                c.get("Cmd").forEach(n -> command.add(n.asText()));
            }
        }
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        for (JsonNode e : c.get("Env")) {
            String kv = e.asText();
            pb.environment().put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        pb.environment().putAll(extraEnv);
        Path out = Files.createTempFile("quill-image-out", ".txt");
        Path err = Files.createTempFile("quill-image-err", ".txt");
        out.toFile().deleteOnExit();
        err.toFile().deleteOnExit();
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return new Running(pb.start(), out, err);
    }

    private static String perms(int mode) {
        StringBuilder s = new StringBuilder();
        String rwx = "rwx";
        for (int i = 8; i >= 0; i--) {
            s.append((mode & (1 << i)) != 0 ? rwx.charAt(2 - i % 3) : '-');
        }
        return s.toString();
    }

    private static Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : config.at("/config/Env")) {
            String kv = e.asText();
            env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        return env;
    }

    /** The entry at a path in the topmost layer that has it. */
    private static TarEntry find(String path) {
        for (int i = layers.size() - 1; i >= 0; i--) {
            TarEntry e = layers.get(i).get(path);
            if (e != null) {
                return e;
            }
        }
        throw new AssertionError(path + " is in no layer");
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** Reads a ustar/PAX tar stream: path (with prefix or PAX path), type, mode, uid, link, data. */
    static List<TarEntry> readTar(InputStream stream) throws IOException {
        List<TarEntry> entries = new ArrayList<>();
        try (InputStream in = stream) {
            String paxPath = null;
            while (true) {
                byte[] h = in.readNBytes(512);
                if (h.length < 512 || isZero(h)) {
                    break;
                }
                String name = field(h, 0, 100);
                int mode = (int) octal(h, 100, 8);
                int uid = (int) octal(h, 108, 8);
                long size = octal(h, 124, 12);
                char type = (char) h[156];
                String link = field(h, 157, 100);
                String prefix = field(h, 345, 155);
                byte[] data = in.readNBytes((int) size);
                in.skipNBytes((512 - size % 512) % 512);
                if (type == 'x') {
                    String record = new String(data, StandardCharsets.UTF_8);
                    paxPath = record.substring(record.indexOf("path=") + 5, record.length() - 1);
                    continue;
                }
                String path = paxPath != null ? paxPath : prefix.isEmpty() ? name : prefix + "/" + name;
                paxPath = null;
                if (path.endsWith("/")) {
                    path = path.substring(0, path.length() - 1);
                }
                entries.add(new TarEntry(path, type == 0 ? '0' : type, mode, uid, link, data));
            }
        }
        return entries;
    }

    private static boolean isZero(byte[] h) {
        for (byte b : h) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String field(byte[] h, int at, int len) {
        int end = at;
        while (end < at + len && h[end] != 0) {
            end++;
        }
        return new String(h, at, end - at, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] h, int at, int len) {
        String s = field(h, at, len).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }
}
