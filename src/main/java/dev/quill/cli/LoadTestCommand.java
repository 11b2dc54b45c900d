package dev.quill.cli;

import dev.quill.loadtest.LoadTest;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Set;

/** {@code quill loadtest}: many concurrent streaming clients against a server on this machine. */
final class LoadTestCommand implements Quill.Command {
    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl = CommandLine.parse("loadtest", args, Set.of("url", "model", "clients", "duration", "max-tokens", "prompt",
                "api-key"), Set.of());
        if (!cl.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + cl.positional().get(0) + "'");
        }
        int seconds = cl.integer("duration", 60);
        LoadTest.Settings settings;
        try {
            settings = new LoadTest.Settings(URI.create(cl.string("url", "http://127.0.0.1:8080")), cl.string("model", null),
                    cl.integer("clients", 16), Duration.ofSeconds(seconds), cl.integer("max-tokens", 64), cl.strings("prompt"),
                    cl.string("api-key", System.getenv("QUILL_API_KEY")));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        LoadTest test;
        try {
            test = new LoadTest(settings);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        err.printf("%d clients for %d s against %s ...%n", settings.clients(), seconds, settings.baseUrl());
        LoadTest.Report report = test.run();
        out.print(report.format());
        return report.unexpectedErrors() == 0 ? 0 : 1;
    }

    @Override
    public String summary() {
        return "drive a server on this machine with concurrent streaming clients and report latency and throughput";
    }

    @Override
    public String usage() {
        return """
                usage: quill loadtest [--url URL] [--clients N] [--duration SECONDS] [--max-tokens N] [--model ID]
                                      [--prompt TEXT ...] [--api-key KEY]

                  --url URL          the server (default http://127.0.0.1:8080); loopback only
                  --clients N        concurrent streaming clients, 1..64 (default 16)
                  --duration S       seconds to run, at most 1800 (default 60)
                  --max-tokens N     tokens per request (default 64)
                  --model ID         model to ask for (default: the server's default)
                  --prompt TEXT      user messages to send in turn (repeatable; default: eight short prompts)
                  --api-key KEY      bearer token (default $QUILL_API_KEY)

                Each client sends streaming chat completions back to back until the time is up. Prints
                requests completed, errors by status and code (429 = queue full, the documented
                back-pressure; the client waits Retry-After), time to first token p50/p95, aggregate
                tokens/s and the server's resident memory sampled through the run (Quill's /q/metrics).
                Works against any OpenAI-compatible server (e.g. llama.cpp's llama-server). Exit status 1
                when any error other than 429 occurred.""";
    }
}
