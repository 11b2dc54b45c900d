package dev.quill.pull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a GGUF file comes from and the name it is saved under. Everything is validated here, before
 * any request, so a hostile or mistyped argument can never make a download write outside the
 * models directory.
 *
 * @param uri the first URL to request (redirects are followed from there)
 * @param fileName the bare file name to save as: no directories, ends with {@code .gguf}
 * @param label how to name the source in messages: {@code ORG/REPO FILE} or the URL
 */
public record ModelSource(URI uri, String fileName, String label) {
    public static final URI DEFAULT_HUB = URI.create("https://huggingface.co");
    public static final String DEFAULT_REVISION = "main";

    // Hugging Face's own rule for repo ids, minus length: letters, digits, '-', '_', '.'.
    private static final Pattern REPO_PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
    private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9._/-]{1,255}");

    public ModelSource {
        Objects.requireNonNull(uri, "uri");
        checkSaveName(fileName);
        Objects.requireNonNull(label, "label");
    }

    /**
     * {@code ORG/REPO FILE} on a Hugging Face hub: {@code {hub}/{ORG}/{REPO}/resolve/{revision}/{FILE}}.
     * {@code file} may name a file in a folder of the repo ({@code Q4_K_M/model.gguf}); it is saved under
     * its last component.
     */
    public static ModelSource huggingFace(URI hub, String repo, String file, String revision) {
        URI base = checkHub(hub);
        checkRepo(repo);
        checkRepoFile(file);
        String rev = revision == null ? DEFAULT_REVISION : revision;
        checkRevision(rev);
        StringBuilder path = new StringBuilder(base.toString()).append('/').append(repo).append("/resolve/")
                .append(encodeSegment(rev)); // a revision like refs/pr/1 is one segment to the hub: refs%2Fpr%2F1
        for (String part : file.split("/")) {
            path.append('/').append(encodeSegment(part));
        }
        String label = repo + " " + file + (rev.equals(DEFAULT_REVISION) ? "" : " (revision " + rev + ")");
        return new ModelSource(URI.create(path.toString()), file.substring(file.lastIndexOf('/') + 1), label);
    }

    /**
     * A direct URL. {@code https} anywhere, plain {@code http} only on this machine (a test server or a
     * local mirror), so a token or a model is never fetched in the clear over a network. A Hugging Face
     * web page link ({@code /blob/}) is turned into its download link ({@code /resolve/}).
     */
    public static ModelSource url(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URL: " + url + " (" + e.getReason() + ")");
        }
        checkScheme(uri, "URL");
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("URL must not contain a user name or password: " + url);
        }
        String rawPath = uri.getRawPath();
        if (rawPath == null || rawPath.isEmpty() || rawPath.endsWith("/")) {
            throw new IllegalArgumentException("URL does not name a file: " + url);
        }
        for (String rawSegment : rawPath.substring(1).split("/", -1)) {
            String segment = URLDecoder.decode(rawSegment.replace("+", "%2B"), StandardCharsets.UTF_8);
            if (segment.equals("..") || segment.equals(".") || segment.contains("/") || segment.contains("\\")) {
                throw new IllegalArgumentException("URL path must not contain '.', '..', encoded slashes or backslashes: " + url);
            }
        }
        String rawName = rawPath.substring(rawPath.lastIndexOf('/') + 1);
        String name = URLDecoder.decode(rawName.replace("+", "%2B"), StandardCharsets.UTF_8);
        checkSaveName(name);
        if ("huggingface.co".equalsIgnoreCase(uri.getHost())) {
            // https://huggingface.co/ORG/REPO/blob/REV/FILE is the HTML page that shows the file.
            String[] parts = rawPath.split("/", 5);
            if (parts.length == 5 && parts[3].equals("blob")) {
                rawPath = "/" + parts[1] + "/" + parts[2] + "/resolve/" + parts[4];
            }
        }
        // The query (often ?download=true) and fragment add nothing to a download.
        URI clean = URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + rawPath);
        return new ModelSource(clean, name, clean.toString());
    }

    /** The hub base URL without a trailing slash; it may carry a path prefix (a mirror). */
    public static URI checkHub(URI hub) {
        Objects.requireNonNull(hub, "hub");
        checkScheme(hub, "hub URL");
        if (hub.getRawQuery() != null || hub.getRawFragment() != null || hub.getRawUserInfo() != null) {
            throw new IllegalArgumentException("hub URL must be like https://huggingface.co, without query, fragment or user: " + hub);
        }
        String s = hub.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    /** Parses a hub URL given as text (an option or environment variable). */
    public static URI parseHub(String hub) {
        try {
            return checkHub(new URI(hub.trim()));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid hub URL: " + hub + " (" + e.getReason() + ")");
        }
    }

    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
    }

    private static void checkScheme(URI uri, String what) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException(what + " must be an https:// address with a host name: " + uri);
        }
        if (scheme.equals("http") && !isLoopback(uri.getHost())) {
            throw new IllegalArgumentException(what + " must use https (plain http is only allowed for localhost): " + uri);
        }
    }

    private static void checkRepo(String repo) {
        if (repo == null || repo.isEmpty()) {
            throw new IllegalArgumentException("repository is missing: expected ORG/REPO, e.g. bartowski/SmolLM2-135M-Instruct-GGUF");
        }
        String[] parts = repo.split("/", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("repository must be ORG/REPO (exactly one '/'), got '" + repo + "'");
        }
        for (String part : parts) {
            if (!REPO_PART.matcher(part).matches() || part.contains("..")) {
                throw new IllegalArgumentException("repository '" + repo + "' has an invalid part '" + part
                        + "': use letters, digits, '-', '_' and '.', starting with a letter or digit, no '..'");
            }
        }
    }

    private static void checkRepoFile(String file) {
        if (file == null || file.isEmpty()) {
            throw new IllegalArgumentException("file name is missing: expected a FILE.gguf in the repository");
        }
        if (file.startsWith("/")) {
            throw new IllegalArgumentException("file must be a path inside the repository, not an absolute path: '" + file + "'");
        }
        if (file.contains("\\")) {
            throw new IllegalArgumentException("file must not contain backslashes: '" + file + "'");
        }
        for (String part : file.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("file must not contain empty, '.' or '..' path components: '" + file + "'");
            }
            checkCharacters(part, file);
        }
        checkSaveName(file.substring(file.lastIndexOf('/') + 1));
    }

    private static void checkRevision(String revision) {
        if (!REVISION.matcher(revision).matches() || revision.startsWith("/") || revision.endsWith("/")) {
            throw new IllegalArgumentException("revision '" + revision + "' is not a branch, tag or commit name");
        }
        for (String part : revision.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("revision '" + revision + "' must not contain empty, '.' or '..' parts");
            }
        }
    }

    /** The name the file gets in the models directory: a plain, visible {@code .gguf} file name. */
    private static void checkSaveName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("file name is missing");
        }
        if (name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("file name must not contain a path: '" + name + "'");
        }
        checkCharacters(name, name);
        if (name.startsWith(".") || name.startsWith("-")) {
            throw new IllegalArgumentException("file name must not start with '.' or '-': '" + name + "'");
        }
        if (!name.toLowerCase(Locale.ROOT).endsWith(".gguf") || name.length() == ".gguf".length()) {
            throw new IllegalArgumentException("file must be a .gguf file, got '" + name + "'");
        }
    }

    private static void checkCharacters(String part, String whole) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            // ':' would name a drive or stream on Windows; control characters garble terminals and logs.
            if (c < 0x20 || c == 0x7f || c == ':' || c == '\\') {
                throw new IllegalArgumentException("file name contains a character that is not allowed ("
                        + (c < 0x20 || c == 0x7f ? String.format("U+%04X", (int) c) : "'" + c + "'") + "): '" + whole.strip() + "'");
            }
        }
    }

    private static String encodeSegment(String s) {
        // URLEncoder is for forms: it writes a space as '+', which a path would keep literally.
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
