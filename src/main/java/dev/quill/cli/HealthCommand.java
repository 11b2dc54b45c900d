package dev.quill.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * {@code quill health}: asks a running server's health endpoint and exits 0 when it answers 200
 * (UP), 1 otherwise. It is the container image's health check, where no curl is installed, and
 * works in scripts that wait for a server to become ready.
 */
final class HealthCommand implements Quill.Command {
    private static final Set<String> VALUED = Set.of("url", "timeout");

    private final Map<String, String> env;

    HealthCommand() {
        this(System.getenv());
    }

    /** @param env where QUARKUS_HTTP_PORT is read from for the default URL (tests pass their own) */
    HealthCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl = CommandLine.parse("health", args, VALUED, Set.of());
        if (!cl.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + cl.positional().get(0) + "'");
        }
        URI url = url(cl.string("url", null));
        int timeout = cl.integer("timeout", 5);
        if (timeout < 1) {
            throw new UsageException("--timeout must be at least 1 second, got " + timeout);
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeout)).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(timeout)).GET().build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            err.println("quill health: nothing answers at " + url + " (connection refused)");
            return 1;
        } catch (HttpTimeoutException e) {
            err.println("quill health: no answer from " + url + " within " + timeout + " s");
            return 1;
        } catch (IOException e) {
            err.println("quill health: " + url + ": " + e.getMessage());
            return 1;
        }
        // The health body says which check is down and why (e.g. the default model is loading).
        (response.statusCode() == 200 ? out : err).println(response.statusCode() + " " + response.body().strip());
        return response.statusCode() == 200 ? 0 : 1;
    }

    URI url(String given) {
        if (given == null) {
            String port = env.getOrDefault("QUARKUS_HTTP_PORT", "8080");
            given = "http://127.0.0.1:" + port + "/q/health";
        }
        URI uri;
        try {
            uri = URI.create(given);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--url is not a URL: " + given);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new UsageException("--url must be an http or https URL with a host, got " + given);
        }
        return uri;
    }

    @Override
    public String summary() {
        return "check a running server's health (exit 0 when UP)";
    }

    @Override
    public String usage() {
        return """
                usage: quill health [--url URL] [--timeout SECONDS]

                  --url URL          health endpoint (default http://127.0.0.1:$QUARKUS_HTTP_PORT/q/health,
                                     port 8080 when unset); /q/health/live and /q/health/ready ask one side
                  --timeout SECONDS  how long to wait for an answer (default 5)

                Exits 0 when the endpoint answers 200 (UP), 1 when it answers otherwise or not at all.""";
    }
}
