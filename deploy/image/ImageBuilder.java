import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes Quill's container image as one tar file, without a Docker daemon or a registry: an OCI
 * image layout (oci-layout, index.json, blobs/) that also carries Docker's manifest.json, so
 * `docker load`, `podman load`, `skopeo copy oci-archive:...` and `kind load image-archive` all
 * read it. Run by deploy/image/build (java deploy/image/ImageBuilder.java ...), which prepares the
 * inputs: a jlink'ed runtime, the shared libraries it needs, and the Quarkus application.
 *
 * <p>Layers, from the least to the most often changed: the OS files (libc, a shell, users), the
 * Java runtime, the application's dependencies, the application. Every entry has a fixed time and
 * owner, and entries are sorted, so the same inputs give the same image digest.
 */
public final class ImageBuilder {
    static final int UID = 10001;
    static final String CREATED = "1970-01-01T00:00:01Z";
    static final long MTIME = 1;

    /** One file, directory or link in a layer. */
    record Entry(String path, Path source, String linkTarget, int mode, int uid, boolean directory) {
    }

    /** A layer's entries by path, kept sorted. */
    static final class Layer {
        final String name;
        final TreeMap<String, Entry> entries = new TreeMap<>();

        Layer(String name) {
            this.name = name;
        }

        void dir(String path, int mode, int uid) {
            entries.put(path, new Entry(path, null, null, mode, uid, true));
        }

        void file(String path, Path source, int mode) {
            parents(path);
            entries.put(path, new Entry(path, source, null, mode, 0, false));
        }

        void link(String path, String target) {
            parents(path);
            entries.put(path, new Entry(path, null, target, 0777, 0, false));
        }

        /** Every file under {@code from}, placed under {@code to}; links stay links. */
        void tree(Path from, String to) throws IOException {
            try (Stream<Path> walk = Files.walk(from)) {
                for (Path p : walk.sorted().toList()) {
                    String rel = from.relativize(p).toString();
                    String path = rel.isEmpty() ? to : to + "/" + rel;
                    if (Files.isSymbolicLink(p)) {
                        link(path, Files.readSymbolicLink(p).toString());
                    } else if (Files.isDirectory(p)) {
                        parents(path);
                        dir(path, 0755, 0);
                    } else {
                        file(path, p, Files.isExecutable(p) ? 0755 : 0644);
                    }
                }
            }
        }

        private void parents(String path) {
            int slash = path.lastIndexOf('/');
            if (slash > 0) {
                String parent = path.substring(0, slash);
                if (!entries.containsKey(parent)) {
                    parents(parent);
                    dir(parent, 0755, 0);
                }
            }
        }
    }

    /** A layer written out: its gzip blob and the digests the manifest and config name. */
    record Blob(Path file, String digest, long size, String diffId, String createdBy) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage("unexpected argument " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        for (String required : List.of("out", "tag", "runtime", "app", "prompts", "entrypoint", "shell", "libs", "work")) {
            if (!options.containsKey(required)) {
                usage("--" + required + " is missing");
            }
        }
        build(options);
    }

    private static void usage(String problem) {
        System.err.println("ImageBuilder: " + problem);
        System.err.println("usage: java ImageBuilder.java --out FILE.tar --tag NAME:TAG --runtime DIR --app QUARKUS_APP_DIR"
                + " --prompts DIR --entrypoint FILE --shell FILE --libs LIST_FILE --work DIR");
        System.exit(2);
    }

    static void build(Map<String, String> o) throws IOException, NoSuchAlgorithmException {
        Path app = Path.of(o.get("app"));
        Path work = Path.of(o.get("work"));
        Files.createDirectories(work);

        Layer os = new Layer("os: C library, /bin/sh, users, writable folders");
        os.file("bin/sh", Path.of(o.get("shell")), 0755);
        for (String lib : Files.readAllLines(Path.of(o.get("libs")))) {
            if (!lib.isBlank()) {
                // Placed where the host has them, so the dynamic linker's default paths find them.
                Path source = Path.of(lib.strip());
                os.file(source.toString().substring(1), source.toRealPath(), 0755);
            }
        }
        Path etc = work.resolve("etc");
        Files.createDirectories(etc);
        os.file("etc/passwd", write(etc.resolve("passwd"),
                "root:x:0:0:root:/root:/bin/sh\nquill:x:" + UID + ":" + UID + ":quill:/var/lib/quill:/bin/sh\n"), 0644);
        os.file("etc/group", write(etc.resolve("group"), "root:x:0:\nquill:x:" + UID + ":\n"), 0644);
        os.file("etc/nsswitch.conf", write(etc.resolve("nsswitch.conf"), "passwd: files\ngroup: files\nhosts: files dns\n"), 0644);
        os.dir("tmp", 01777, 0);
        os.dir("models", 0755, UID);
        os.dir("var", 0755, 0);
        os.dir("var/lib", 0755, 0);
        os.dir("var/lib/quill", 0755, UID);

        Layer runtime = new Layer("runtime: Java 25 (jlink) with jdk.incubator.vector");
        runtime.tree(Path.of(o.get("runtime")), "opt/java");

        Layer dependencies = new Layer("dependencies: quarkus-app/lib");
        dependencies.tree(app.resolve("lib"), "opt/quill/lib");

        Layer application = new Layer("application: Quill, its launcher and prompt library");
        try (Stream<Path> top = Files.list(app)) {
            for (Path p : top.sorted().toList()) {
                String name = p.getFileName().toString();
                if (!name.equals("lib")) {
                    application.tree(p, "opt/quill/" + name);
                }
            }
        }
        application.file("opt/quill/bin/quill", Path.of(o.get("entrypoint")), 0755);
        application.tree(Path.of(o.get("prompts")), "opt/quill/prompts");

        List<Blob> blobs = new ArrayList<>();
        int n = 0;
        for (Layer layer : List.of(os, runtime, dependencies, application)) {
            blobs.add(writeLayer(layer, work.resolve("layer-" + n++ + ".tar.gz")));
        }
        writeImage(Path.of(o.get("out")), o.get("tag"), blobs);
    }

    static Path write(Path file, String content) throws IOException {
        return Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    static Blob writeLayer(Layer layer, Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest compressed = MessageDigest.getInstance("SHA-256");
        MessageDigest uncompressed = MessageDigest.getInstance("SHA-256");
        long size;
        try (OutputStream fileOut = Files.newOutputStream(file);
                DigestOutputStream zipped = new DigestOutputStream(fileOut, compressed);
                GZIPOutputStream gzip = new GZIPOutputStream(zipped, 1 << 16);
                DigestOutputStream tarOut = new DigestOutputStream(gzip, uncompressed)) {
            Tar tar = new Tar(tarOut);
            for (Entry e : layer.entries.values()) {
                tar.add(e);
            }
            tar.finish();
        }
        size = Files.size(file);
        return new Blob(file, "sha256:" + hex(compressed.digest()), size, "sha256:" + hex(uncompressed.digest()), layer.name);
    }

    static void writeImage(Path out, String tag, List<Blob> layers) throws IOException, NoSuchAlgorithmException {
        String repository = tag.substring(0, tag.lastIndexOf(':'));
        String version = tag.substring(tag.lastIndexOf(':') + 1);
        StringBuilder diffIds = new StringBuilder();
        StringBuilder history = new StringBuilder();
        StringBuilder layerDescriptors = new StringBuilder();
        StringBuilder dockerLayers = new StringBuilder();
        for (Blob b : layers) {
            String sep = diffIds.isEmpty() ? "" : ",";
            diffIds.append(sep).append(json(b.diffId()));
            history.append(sep).append("{\"created\":").append(json(CREATED)).append(",\"created_by\":")
                    .append(json("quill image builder: " + b.createdBy())).append('}');
            layerDescriptors.append(sep).append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":")
                    .append(json(b.digest())).append(",\"size\":").append(b.size()).append('}');
            dockerLayers.append(sep).append(json("blobs/sha256/" + b.digest().substring(7)));
        }
        // Docker's Healthcheck durations are nanoseconds.
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":" + json(CREATED) + ",\"config\":{"
                + "\"User\":\"" + UID + ":" + UID + "\","
                + "\"ExposedPorts\":{\"8080/tcp\":{}},"
                + "\"Env\":[\"PATH=/opt/java/bin:/bin\",\"JAVA_HOME=/opt/java\",\"HOME=/var/lib/quill\","
                + "\"QUARKUS_HTTP_HOST=0.0.0.0\",\"QUILL_MODELS_DIR=/models\",\"QUILL_DATA_DIR=/var/lib/quill/data\","
                + "\"QUILL_PROMPTS_DIR=/opt/quill/prompts\",\"QUILL_HEAP=25%\",\"JAVA_OPTS=\"],"
                + "\"Entrypoint\":[\"/opt/quill/bin/quill\"],\"Cmd\":[\"serve\"],"
                + "\"WorkingDir\":\"/var/lib/quill\","
                + "\"Volumes\":{\"/models\":{},\"/var/lib/quill\":{}},"
                + "\"Healthcheck\":{\"Test\":[\"CMD\",\"/opt/quill/bin/quill\",\"health\"],\"Interval\":30000000000,"
                + "\"Timeout\":10000000000,\"StartPeriod\":120000000000,\"Retries\":3},"
                + "\"Labels\":{\"org.opencontainers.image.title\":\"Quill\",\"org.opencontainers.image.version\":"
                + json(version) + ",\"org.opencontainers.image.description\":"
                + json("Prompt-engineering workbench and OpenAI-compatible model server; mount GGUF models at /models")
                + "}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]},\"history\":[" + history + "]}";
        byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
        String configDigest = "sha256:" + hex(sha256(configBytes));
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"
                + "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":" + json(configDigest) + ",\"size\":"
                + configBytes.length + "},\"layers\":[" + layerDescriptors + "]}";
        byte[] manifestBytes = manifest.getBytes(StandardCharsets.UTF_8);
        String manifestDigest = "sha256:" + hex(sha256(manifestBytes));
        String fullName = repository.contains("/") ? repository : "docker.io/library/" + repository;
        String index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{"
                + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":" + json(manifestDigest)
                + ",\"size\":" + manifestBytes.length + ",\"annotations\":{\"io.containerd.image.name\":"
                + json(fullName + ":" + version) + ",\"org.opencontainers.image.ref.name\":" + json(version) + "}}]}";
        String dockerManifest = "[{\"Config\":" + json("blobs/sha256/" + configDigest.substring(7)) + ",\"RepoTags\":["
                + json(tag) + "],\"Layers\":[" + dockerLayers + "]}]";

        Path partial = out.resolveSibling(out.getFileName() + ".part");
        try (OutputStream fileOut = Files.newOutputStream(partial)) {
            Tar tar = new Tar(fileOut);
            tar.dir("blobs", 0755);
            tar.dir("blobs/sha256", 0755);
            for (Blob b : layers) {
                tar.bytes("blobs/sha256/" + b.digest().substring(7), b.file(), b.size());
            }
            tar.bytes("blobs/sha256/" + configDigest.substring(7), configBytes);
            tar.bytes("blobs/sha256/" + manifestDigest.substring(7), manifestBytes);
            tar.bytes("index.json", index.getBytes(StandardCharsets.UTF_8));
            tar.bytes("manifest.json", dockerManifest.getBytes(StandardCharsets.UTF_8));
            tar.bytes("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
            tar.finish();
        }
        Files.move(partial, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.println("image " + tag + " written to " + out + " (" + Files.size(out) / (1024 * 1024) + " MiB, manifest "
                + manifestDigest + ")");
    }

    static byte[] sha256(byte[] data) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** A JSON string literal (the builder writes only ASCII names and digests, but stays correct). */
    static String json(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }

    /** A POSIX ustar writer: regular files, directories and symbolic links, with fixed time and owners. */
    static final class Tar {
        private final OutputStream out;

        Tar(OutputStream out) {
            this.out = out;
        }

        void add(Entry e) throws IOException {
            if (e.directory()) {
                header(e.path() + "/", 0, e.mode(), e.uid(), '5', "");
            } else if (e.linkTarget() != null) {
                header(e.path(), 0, e.mode(), e.uid(), '2', e.linkTarget());
            } else {
                bytes(e.path(), e.source(), Files.size(e.source()), e.mode(), e.uid());
            }
        }

        void dir(String path, int mode) throws IOException {
            header(path + "/", 0, mode, 0, '5', "");
        }

        void bytes(String path, byte[] data) throws IOException {
            header(path, data.length, 0644, 0, '0', "");
            out.write(data);
            pad(data.length);
        }

        void bytes(String path, Path source, long size) throws IOException {
            bytes(path, source, size, 0644, 0);
        }

        private void bytes(String path, Path source, long size, int mode, int uid) throws IOException {
            header(path, size, mode, uid, '0', "");
            long copied = Files.copy(source, out);
            if (copied != size) {
                throw new IOException(source + " changed while the image was written");
            }
            pad(size);
        }

        void finish() throws IOException {
            out.write(new byte[1024]);
            out.flush();
        }

        private void pad(long size) throws IOException {
            int rest = (int) (size % 512);
            if (rest != 0) {
                out.write(new byte[512 - rest]);
            }
        }

        private void header(String path, long size, int mode, int uid, char type, String link) throws IOException {
            byte[] h = new byte[512];
            String name = path;
            String prefix = "";
            if (utf8(name).length > 100) {
                // ustar splits long paths at a slash: up to 155 bytes of prefix, 100 of name.
                int split = path.lastIndexOf('/', path.length() - 2);
                while (split > 0 && (utf8(path.substring(split + 1)).length > 100 || utf8(path.substring(0, split)).length > 155)) {
                    split = path.lastIndexOf('/', split - 1);
                }
                if (split > 0) {
                    prefix = path.substring(0, split);
                    name = path.substring(split + 1);
                } else {
                    // No split fits (a long file name): a PAX extended header carries the whole path.
                    pax("path", path);
                    name = path.substring(0, 100);
                }
            }
            if (utf8(link).length > 100) {
                throw new IOException("link target too long for a tar header: " + link);
            }
            put(h, 0, 100, utf8(name));
            octal(h, 100, 8, mode);
            octal(h, 108, 8, uid);
            octal(h, 116, 8, uid);
            octal(h, 124, 12, size);
            octal(h, 136, 12, MTIME);
            h[156] = (byte) type;
            put(h, 157, 100, utf8(link));
            put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
            put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
            put(h, 265, 32, utf8(uid == 0 ? "root" : "quill"));
            put(h, 297, 32, utf8(uid == 0 ? "root" : "quill"));
            put(h, 345, 155, utf8(prefix));
            for (int i = 148; i < 156; i++) {
                h[i] = ' ';
            }
            long sum = 0;
            for (byte b : h) {
                sum += b & 0xff;
            }
            octal(h, 148, 7, sum);
            out.write(h);
        }

        /** A PAX extended header record ({@code "LEN key=value\n"}, LEN counting itself) for the next entry. */
        private void pax(String key, String value) throws IOException {
            int body = utf8(" " + key + "=" + value + "\n").length;
            int length = body + Integer.toString(body).length();
            if (Integer.toString(length).length() != Integer.toString(body).length()) {
                length++;
            }
            byte[] record = utf8(length + " " + key + "=" + value + "\n");
            header("PaxHeaders/" + Math.abs(value.hashCode()), record.length, 0644, 0, 'x', "");
            out.write(record);
            pad(record.length);
        }

        private static byte[] utf8(String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }

        private static void put(byte[] h, int at, int max, byte[] value) {
            System.arraycopy(value, 0, h, at, Math.min(max, value.length));
        }

        private static void octal(byte[] h, int at, int width, long value) {
            String s = Long.toOctalString(value);
            if (s.length() > width - 1) {
                throw new IllegalArgumentException("value " + value + " does not fit a tar header field");
            }
            s = "0".repeat(width - 1 - s.length()) + s;
            put(h, at, width - 1, s.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private ImageBuilder() {
    }
}
