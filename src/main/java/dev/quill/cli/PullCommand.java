package dev.quill.cli;

import dev.quill.gguf.GgufFile;
import dev.quill.model.Architecture;
import dev.quill.pull.DownloadException;
import dev.quill.pull.DownloadListener;
import dev.quill.pull.DownloadResult;
import dev.quill.pull.ModelDownloader;
import dev.quill.pull.ModelSource;
import dev.quill.pull.ProgressBar;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code quill pull}: download a GGUF model from Hugging Face (or a URL) into the models directory. */
final class PullCommand implements Quill.Command {
    private static final Set<String> VALUED = Set.of("models-dir", "revision", "hub-url", "progress");
    private static final Set<String> FLAGS = Set.of("force");

    private final Map<String, String> env;

    PullCommand() {
        this(System.getenv());
    }

    /** @param env where HF_TOKEN and QUILL_HUB_URL are read from (tests pass their own) */
    PullCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl = CommandLine.parse("pull", args, VALUED, FLAGS);
        var positional = cl.positional();
        if (positional.isEmpty() || positional.size() > 2) {
            throw new UsageException(positional.isEmpty() ? "what to pull is missing: ORG/REPO FILE.gguf, or a URL"
                    : "too many arguments: " + String.join(" ", positional));
        }
        URI hub = cl.has("hub-url") ? ModelSource.parseHub(cl.string("hub-url", null)) : ModelDownloader.hubFromEnvironment(env);
        Path modelsDir = Path.of(cl.string("models-dir", "models"));
        DownloadListener listener = listener(cl.string("progress", "auto"), err);

        try (ModelDownloader downloader = ModelDownloader.builder().hub(hub)
                .token(ModelDownloader.tokenFromEnvironment(env)).build()) {
            ModelSource source = source(positional, cl, downloader);
            err.println("pulling " + source.label() + " into " + modelsDir.resolve(source.fileName()));
            DownloadResult result;
            try {
                result = downloader.download(source, modelsDir, cl.flag("force"), listener);
            } catch (DownloadException e) {
                err.println("quill pull: " + e.getMessage());
                return 1;
            }
            if (result.status() == DownloadResult.Status.ALREADY_PRESENT) {
                out.println(result.file() + " is already there (" + ProgressBar.formatBytes(result.sizeBytes())
                        + "); use --force to download it again");
                return 0;
            }
            out.println("saved " + result.file() + " (" + ProgressBar.formatBytes(result.sizeBytes()) + ", sha256 "
                    + result.sha256() + (result.checksumVerified() ? ", verified" : ", not verified: no checksum published")
                    + ")");
            describeModel(result.file(), err);
        }
        return 0;
    }

    private static ModelSource source(List<String> positional, CommandLine cl, ModelDownloader downloader) {
        String first = positional.get(0);
        if (first.contains("://")) {
            if (positional.size() > 1) {
                throw new UsageException("a URL is pulled on its own; unexpected argument '" + positional.get(1) + "'");
            }
            if (cl.has("revision")) {
                throw new UsageException("--revision applies to ORG/REPO FILE.gguf, not to a URL");
            }
            return ModelSource.url(first);
        }
        if (positional.size() < 2) {
            throw new UsageException("the file to pull is missing: quill pull " + first + " FILE.gguf");
        }
        return downloader.resolve(first, positional.get(1), cl.string("revision", ModelSource.DEFAULT_REVISION));
    }

    private static DownloadListener listener(String mode, PrintStream err) {
        return switch (mode) {
            case "auto" -> new ProgressBar(err, ProgressBar.styleForThisProcess());
            case "bar" -> new ProgressBar(err, ProgressBar.Style.BAR);
            case "lines" -> new ProgressBar(err, ProgressBar.Style.LINES);
            case "none" -> new DownloadListener() {
                @Override
                public void note(String message) {
                    err.println(message);
                }
            };
            default -> throw new UsageException("--progress must be one of auto, bar, lines, none; got '" + mode + "'");
        };
    }

    /** Says what was downloaded and whether Quill can run it, so a wrong pick shows up now rather than at load. */
    private static void describeModel(Path file, PrintStream err) {
        try (GgufFile gguf = GgufFile.open(file)) {
            String architecture = gguf.metadata().getString("general.architecture", "unknown");
            String name = gguf.metadata().getString("general.name", null);
            boolean supported = Arrays.stream(Architecture.values()).anyMatch(a -> a.ggufName().equals(architecture));
            err.println((name == null ? "" : name + ": ") + "architecture " + architecture
                    + (supported ? "" : " — not supported by Quill, which runs " + Architecture.supportedNames()));
            if (supported) {
                err.println("try it: quill generate --model " + file + " --prompt 'Hello'");
            }
        } catch (IOException | RuntimeException e) {
            err.println("warning: " + file + " does not read as a GGUF model: " + e.getMessage());
        }
    }

    @Override
    public String summary() {
        return "download a GGUF model from Hugging Face (or a URL) into the models directory";
    }

    @Override
    public String usage() {
        return """
                usage: quill pull ORG/REPO FILE.gguf [options]
                       quill pull URL [options]

                  ORG/REPO FILE.gguf     a file of a Hugging Face repository, e.g.
                                         bartowski/SmolLM2-135M-Instruct-GGUF SmolLM2-135M-Instruct-Q8_0.gguf
                  URL                    an https:// link to a .gguf file
                  --models-dir DIR       where to save it (default models)
                  --revision REV         branch, tag or commit of the repository (default main)
                  --hub-url URL          the hub to download from (default $QUILL_HUB_URL, else https://huggingface.co)
                  --force                download again even if the file is already there
                  --progress MODE        auto, bar, lines or none (default auto: a bar on a terminal)

                An interrupted download resumes where it stopped when the command is run again. The file is
                checked against the SHA-256 the hub publishes and must be a GGUF file; only then is it renamed
                from FILE.gguf.part to FILE.gguf. For gated or private models set HF_TOKEN to a Hugging Face
                access token (https://huggingface.co/settings/tokens); it is only sent to the hub.""";
    }
}
