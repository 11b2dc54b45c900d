package dev.quill.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Drives an OpenAI-compatible server with many concurrent streaming chat requests for a fixed
 * time and reports what a capacity test needs: requests completed, errors by type, time to first
 * token, aggregate tokens per second and the server's resident memory over the run (read from
 * Quill's {@code /q/metrics}; absent for other servers).
 *
 * <p>Bounded on purpose: loopback servers only, at most {@link #MAX_CLIENTS} clients and
 * {@link #MAX_DURATION}, so it cannot be pointed at someone else's service as a flood.
 */
public final class LoadTest {
    public static final int MAX_CLIENTS = 64;
    public static final Duration MAX_DURATION = Duration.ofMinutes(30);
    private static final Pattern RSS = Pattern.compile("(?m)^quill_process_resident_bytes(?:\\{[^}]*})? ([0-9.eE+]+)$");

    /**
     * @param baseUrl the server, e.g. {@code http://127.0.0.1:8080}; must be loopback
     * @param model the model id to ask for; null for the server's default
     * @param prompts user messages, used in turn
     * @param apiKey sent as a bearer token when not null
     */
    public record Settings(URI baseUrl, String model, int clients, Duration duration, int maxTokens, List<String> prompts,
            String apiKey) {
        public Settings {
            Objects.requireNonNull(baseUrl, "baseUrl");
            if (clients < 1 || clients > MAX_CLIENTS) {
                throw new IllegalArgumentException("clients must be 1.." + MAX_CLIENTS + ", got " + clients);
            }
            if (duration.isNegative() || duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
                throw new IllegalArgumentException("duration must be positive and at most " + MAX_DURATION.toMinutes() + " minutes");
            }
            if (maxTokens < 1) {
                throw new IllegalArgumentException("max tokens must be >= 1, got " + maxTokens);
            }
            prompts = prompts == null || prompts.isEmpty() ? DEFAULT_PROMPTS : List.copyOf(prompts);
        }
    }

    static final List<String> DEFAULT_PROMPTS = List.of("Tell me a story about a dog.", "Once upon a time, a little girl",
            "Write two sentences about the sea.", "What did Tom find in the garden?", "The cat and the bird were friends.",
            "Describe a rainy day.", "Lily wanted to fly a kite.", "Why is the sky blue?");

    /** What happened during the run. */
    public record Report(int clients, double seconds, long completed, Map<String, Long> errors, double firstTokenP50,
            double firstTokenP95, long completionTokens, double aggregateTokensPerSecond, List<Long> residentBytes) {

        /** Errors other than the documented 429 (queue full). */
        public long unexpectedErrors() {
            return errors.entrySet().stream().filter(e -> !e.getKey().startsWith("429")).mapToLong(Map.Entry::getValue).sum();
        }

        public String format() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(java.util.Locale.ROOT, "clients %d, %.1f s%n", clients, seconds));
            b.append(String.format(java.util.Locale.ROOT, "requests completed   %d%n", completed));
            b.append("errors               ").append(errors.isEmpty() ? "none" : errors).append('\n');
            b.append(String.format(java.util.Locale.ROOT, "first token p50/p95  %.3f s / %.3f s%n", firstTokenP50, firstTokenP95));
            b.append(String.format(java.util.Locale.ROOT, "tokens generated     %d (%.1f tok/s aggregate)%n", completionTokens,
                    aggregateTokensPerSecond));
            if (!residentBytes.isEmpty()) {
                b.append("server resident MB   ").append(residentBytes.stream().map(r -> Long.toString(r >> 20)).toList())
                        .append(" (start ... end)\n");
            }
            return b.toString();
        }
    }

    private final Settings settings;
    private final HttpClient http;
    private final ObjectMapper mapper = new ObjectMapper();
    private final List<Double> firstTokens = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong tokens = new AtomicLong();
    private final AtomicLong promptCounter = new AtomicLong();

    public LoadTest(Settings settings) {
        this.settings = settings;
        requireLoopback(settings.baseUrl());
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static void requireLoopback(URI url) {
        String host = url.getHost();
        if (host == null) {
            throw new IllegalArgumentException("no host in " + url);
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    throw new IllegalArgumentException("the load test only drives servers on this machine (loopback); " + host
                            + " is " + a.getHostAddress());
                }
            }
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("unknown host " + host);
        }
    }

    public Report run() throws InterruptedException {
        List<Long> resident = new ArrayList<>();
        sampleResident(resident);
        long start = System.nanoTime();
        long end = start + settings.duration().toNanos();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < settings.clients(); i++) {
            clients.add(Thread.ofVirtual().name("load-client-" + i).start(() -> {
                while (System.nanoTime() < end) {
                    oneRequest(end);
                }
            }));
        }
        // Memory samples during the run show a trend, not just two points.
        long sampleEvery = Math.max(1_000_000_000L, settings.duration().toNanos() / 6);
        long nextSample = start + sampleEvery;
        while (System.nanoTime() < end) {
            Thread.sleep(Math.max(1, Math.min(200, (end - System.nanoTime()) / 1_000_000)));
            if (System.nanoTime() >= nextSample && System.nanoTime() < end) {
                sampleResident(resident);
                nextSample += sampleEvery;
            }
        }
        for (Thread t : clients) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        sampleResident(resident);
        List<Double> sorted;
        synchronized (firstTokens) {
            sorted = new ArrayList<>(firstTokens);
        }
        Collections.sort(sorted);
        Map<String, Long> errorCounts = new TreeMap<>();
        errors.forEach((k, v) -> errorCounts.put(k, v.get()));
        return new Report(settings.clients(), seconds, completed.get(), errorCounts, percentile(sorted, 0.5),
                percentile(sorted, 0.95), tokens.get(), tokens.get() / seconds, resident);
    }

    private void oneRequest(long deadline) {
        ObjectNode body = mapper.createObjectNode();
        if (settings.model() != null) {
            body.put("model", settings.model());
        }
        long n = promptCounter.getAndIncrement();
        String prompt = settings.prompts().get((int) (n % settings.prompts().size()));
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        body.put("max_tokens", settings.maxTokens());
        body.put("stream", true);
        body.put("seed", n);
        body.putObject("stream_options").put("include_usage", true);
        long remaining = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.baseUrl().resolve("/v1/chat/completions"))
                .timeout(Duration.ofMillis(remaining + 60_000))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (settings.apiKey() != null) {
            request.header("Authorization", "Bearer " + settings.apiKey());
        }
        long sent = System.nanoTime();
        try {
            HttpResponse<Stream<String>> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
            } catch (IOException staleConnection) {
                // A pooled keep-alive connection the server has just closed fails before any byte
                // of a response arrives; clients resend then (the JDK does so only for GETs). A
                // second failure, or one after the response began, counts as an error.
                sent = System.nanoTime();
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
            }
            if (response.statusCode() != 200) {
                String text = response.body().reduce("", (a, b) -> a + b);
                errors.computeIfAbsent(response.statusCode() + " " + errorCode(text), k -> new AtomicLong()).incrementAndGet();
                if (response.statusCode() == 429) {
                    // Back off as told, within the run.
                    long wait = response.headers().firstValueAsLong("Retry-After").orElse(1);
                    Thread.sleep(Math.min(wait * 1000, Math.max(0, (deadline - System.nanoTime()) / 1_000_000)));
                }
                return;
            }
            boolean first = true;
            boolean finished = false;
            String streamError = null;
            try (Stream<String> lines = response.body()) {
                for (String line : (Iterable<String>) lines::iterator) {
                    if (!line.startsWith("data: ")) {
                        continue;
                    }
                    String data = line.substring(6);
                    if (data.equals("[DONE]")) {
                        finished = true;
                        break;
                    }
                    JsonNode chunk = mapper.readTree(data);
                    if (chunk.has("error")) {
                        streamError = chunk.path("error").path("code").asText("stream_error");
                        continue;
                    }
                    JsonNode delta = chunk.path("choices").path(0).path("delta").path("content");
                    if (first && delta.isTextual() && !delta.asText().isEmpty()) {
                        first = false;
                        firstTokens.add((System.nanoTime() - sent) / 1e9);
                    }
                    JsonNode usage = chunk.path("usage");
                    if (usage.has("completion_tokens")) {
                        tokens.addAndGet(usage.path("completion_tokens").asLong());
                    }
                }
            }
            if (streamError != null) {
                errors.computeIfAbsent("stream " + streamError, k -> new AtomicLong()).incrementAndGet();
            } else if (finished) {
                completed.incrementAndGet();
            } else {
                errors.computeIfAbsent("stream ended without [DONE]", k -> new AtomicLong()).incrementAndGet();
            }
        } catch (IOException e) {
            errors.computeIfAbsent("connection " + e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String errorCode(String body) {
        try {
            return mapper.readTree(body).path("error").path("code").asText("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private void sampleResident(List<Long> samples) {
        try {
            HttpRequest.Builder r = HttpRequest.newBuilder(settings.baseUrl().resolve("/q/metrics")).timeout(Duration.ofSeconds(5)).GET();
            HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = RSS.matcher(response.body());
            if (response.statusCode() == 200 && m.find()) {
                samples.add((long) Double.parseDouble(m.group(1)));
            }
        } catch (IOException | RuntimeException e) {
            // Not a Quill server (or no metrics): the report just has no memory figures.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
