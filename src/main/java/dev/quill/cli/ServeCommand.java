package dev.quill.cli;

import io.quarkus.runtime.Quarkus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code quill serve}: the OpenAI-compatible model server. The options become configuration
 * properties (system properties outrank environment variables and application.properties),
 * then Quarkus starts and runs until the process is stopped.
 */
final class ServeCommand implements Quill.Command {
    private static final Set<String> VALUED = Set.of("model", "models-dir", "host", "port", "default-model",
            "ctx-size", "threads", "queue-size", "max-sequences", "kv-budget");
    private static final Set<String> FLAGS = Set.of("preload", "log-json");

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Map<String, String> properties = properties(args);
        properties.forEach(System::setProperty);
        Quarkus.run();
        return 0;
    }

    /** The configuration properties a command line sets. */
    static Map<String, String> properties(String[] args) {
        CommandLine cl = CommandLine.parse("serve", args, VALUED, FLAGS);
        if (!cl.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + cl.positional().get(0) + "'");
        }
        Map<String, String> p = new LinkedHashMap<>();
        List<String> models = cl.strings("model");
        if (!models.isEmpty()) {
            // Commas separate list entries in the configuration; escape those in file names.
            p.put("quill.model-files", String.join(",", models.stream()
                    .map(m -> Path.of(m).toAbsolutePath().toString().replace(",", "\\,")).toList()));
        }
        put(p, cl, "models-dir", "quill.models-dir");
        put(p, cl, "host", "quarkus.http.host");
        put(p, cl, "default-model", "quill.default-model");
        if (cl.has("port")) {
            int port = cl.integer("port", 8080);
            if (port < 0 || port > 65535) {
                throw new UsageException("--port must be in 0..65535, got " + port);
            }
            p.put("quarkus.http.port", Integer.toString(port));
        }
        if (cl.has("ctx-size")) {
            p.put("quill.context-length", Integer.toString(cl.integer("ctx-size", 0)));
        }
        if (cl.has("threads")) {
            p.put("quill.threads", Integer.toString(cl.integer("threads", 0)));
        }
        if (cl.has("queue-size")) {
            p.put("quill.queue-size", Integer.toString(cl.integer("queue-size", 16)));
        }
        if (cl.has("max-sequences")) {
            p.put("quill.max-sequences", Integer.toString(cl.integer("max-sequences", 8)));
        }
        if (cl.has("kv-budget")) {
            p.put("quill.kv-budget", Integer.toString(cl.integer("kv-budget", 0)));
        }
        if (cl.flag("preload")) {
            p.put("quill.preload", "true");
        }
        if (cl.flag("log-json")) {
            p.put("quill.log-json", "true");
        }
        return p;
    }

    private static void put(Map<String, String> p, CommandLine cl, String option, String key) {
        if (cl.has(option)) {
            p.put(key, cl.string(option, null));
        }
    }

    @Override
    public String summary() {
        return "run the OpenAI-compatible model server";
    }

    @Override
    public String usage() {
        return """
                usage: quill serve [--model FILE]... [--models-dir DIR] [--host H] [--port P] [options]

                  --model FILE          serve this GGUF file (repeatable), besides the models directory
                  --models-dir DIR      serve every *.gguf in DIR, also files added later (default: models)
                  --default-model ID    model for requests that name none (default: first --model, else first file)
                  --host H              address to bind (default 127.0.0.1)
                  --port P              port (default 8080)
                  --preload             load the default model at start instead of on first use
                  --ctx-size N          context length per sequence (default: the model's, at most 4096)
                  --threads N           compute threads per model (default: all cores)
                  --queue-size N        requests that may wait per model before 429 (default 16)
                  --max-sequences N     sequences per model decoded together, continuous batching (default 8)
                  --kv-budget N         KV cache tokens per model shared by all its sequences
                                        (default: max(context length, 16384))
                  --log-json            log one JSON object per line (with request_id), for log collectors

                Every option is also a configuration key (see the README), e.g. QUILL_API_KEYS=secret
                to require 'Authorization: Bearer secret' on /v1 and /api.""";
    }
}
