package dev.quill.server;

import static dev.quill.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quill.engine.CancellationToken;
import dev.quill.engine.GenerationRequest;
import dev.quill.engine.GenerationResult;
import dev.quill.engine.InferenceJob;
import dev.quill.engine.JobListener;
import dev.quill.engine.ServedModel;
import dev.quill.sampling.Sampler;
import dev.quill.sampling.SamplingParams;
import dev.quill.testutil.SharedData;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Continuous batching through HTTP: invariance, prefix cache, deadlines, slow and vanished clients. */
@QuarkusTest
@TestProfile(ConcurrentServingTest.Profile.class)
class ConcurrentServingTest {
    static final int SLOTS = 8;
    static final int BUFFER = 32;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quill.models-dir", ServerTestProfile.MODELS_DIR.toString(),
                    "quill.default-model", ServerTestProfile.MODEL,
                    "quill.context-length", "256",
                    "quill.threads", "2",
                    "quill.max-sequences", Integer.toString(SLOTS),
                    "quill.queue-size", "4",
                    "quill.queue-timeout", "2s",
                    "quill.stream-buffer-events", Integer.toString(BUFFER),
                    "quill.import-prompts", "false");
        }
    }

    @TestHTTPResource("/")
    URI root;

    @Inject
    ModelService models;

    private TestHttp http;

    @BeforeEach
    void setUp() throws InterruptedException {
        SharedData.model("stories260K.gguf");
        http = new TestHttp(root, null);
        awaitIdle();
    }

    private ServedModel model() {
        return models.registry().acquire(ServerTestProfile.MODEL);
    }

    /** A streaming request for 240 tokens with the end of text banned: it runs until its limit or until cancelled. */
    private static String endlessStream() {
        ObjectNode body = (ObjectNode) json(chat("Once upon a time", 240, null, 0.0));
        body.put("stream", true);
        body.putObject("logit_bias").put("2", -100);
        return body.toString();
    }

    private static String chat(String user, int maxTokens, Long seed, Double temperature) {
        ObjectNode body = TestHttp.JSON.createObjectNode();
        body.putArray("messages").addObject().put("role", "user").put("content", user);
        body.put("max_tokens", maxTokens);
        if (seed != null) {
            body.put("seed", seed);
        }
        if (temperature != null) {
            body.put("temperature", temperature);
        }
        return body.toString();
    }

    @Test
    void eightConcurrentRequestsGetTheTextTheyGetAlone() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            bodies.add(i % 2 == 0
                    ? chat("Story number " + i + " about a cat", 30 + i, null, 0.0)
                    : chat("Story number " + i + " about a dog", 30 + i, 100L + i, 0.9));
        }
        List<String> alone = new ArrayList<>();
        for (String b : bodies) {
            HttpResponse<String> r = http.post("/v1/chat/completions", b);
            assertEquals(200, r.statusCode(), r.body());
            alone.add(json(r.body()).at("/choices/0/message/content").asText());
        }
        long stepsBefore = model().worker().steps();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> together = new ArrayList<>();
            for (String b : bodies) {
                together.add(pool.submit(() -> http.post("/v1/chat/completions", b)));
            }
            int tokens = 0;
            for (int i = 0; i < bodies.size(); i++) {
                HttpResponse<String> r = together.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                JsonNode n = json(r.body());
                assertEquals(alone.get(i), n.at("/choices/0/message/content").asText(), "request " + i);
                tokens += n.at("/usage/completion_tokens").asInt();
            }
            long steps = model().worker().steps() - stepsBefore;
            assertTrue(steps < tokens, "the requests shared steps: " + steps + " steps for " + tokens + " tokens");
        }
    }

    @Test
    void aSharedPrefixComesFromTheCacheAndIsReported() {
        String system = "You are a storyteller " + System.nanoTime() + ". Tell short happy stories about animals in the park, "
                + "with a dog, a cat and a bird who are friends and play together every day.";
        String first = "{\"messages\":[{\"role\":\"system\",\"content\":\"" + system + "\"},{\"role\":\"user\",\"content\":\"A story\"}],"
                + "\"max_tokens\":4,\"temperature\":0}";
        String second = first.replace("A story", "Another one");
        double hitsBefore = metric("quill_prefix_cache_hits_total");
        JsonNode a = json(http.post("/v1/chat/completions", first).body());
        JsonNode b = json(http.post("/v1/chat/completions", second).body());
        // The first request can only share the chat template's opening with earlier requests.
        int firstCached = a.at("/usage/prompt_tokens_details/cached_tokens").asInt();
        assertTrue(firstCached < 20, a.toString());
        int cached = b.at("/usage/prompt_tokens_details/cached_tokens").asInt();
        assertTrue(cached > firstCached + 30 && cached < b.at("/usage/prompt_tokens").asInt(),
                "cached " + cached + " of " + b.at("/usage"));
        assertTrue(metric("quill_prefix_cache_hits_total") >= hitsBefore + 1);
    }

    @Test
    void aRequestWaitingPastTheQueueDeadlineGets503() throws Exception {
        List<CancellationToken> holders = holdEverySlot();
        try {
            HttpResponse<String> r = http.post("/v1/chat/completions", chat("Hi", 2, null, 0.0));
            assertEquals(503, r.statusCode(), r.body());
            JsonNode e = json(r.body()).get("error");
            assertEquals("queue_timeout", e.get("code").asText());
            assertTrue(e.get("message").asText().contains("waited"), e.toString());
        } finally {
            holders.forEach(CancellationToken::cancel);
        }
    }

    /** Fills every sequence slot with a job whose listener takes 20 ms a token: the engine keeps stepping, the slots stay busy. */
    private List<CancellationToken> holdEverySlot() throws InterruptedException {
        ServedModel m = model();
        int[] prompt = m.tokenizer().encode("Once", true, false);
        SamplingParams endless = SamplingParams.builder().temperature(0).logitBias(Map.of(2, -100f)).build();
        List<CancellationToken> tokens = new ArrayList<>();
        AtomicInteger started = new AtomicInteger();
        boolean ok = false;
        try {
        for (int i = 0; i < SLOTS; i++) {
            CancellationToken c = new CancellationToken();
            tokens.add(c);
            m.worker().submit(new InferenceJob(new GenerationRequest(prompt, endless, 240, List.of()), new JobListener() {
                @Override
                public void onStart() {
                    started.incrementAndGet();
                }

                @Override
                public void onToken(int token, String text, Sampler sampler) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public void onComplete(GenerationResult result) {
                }

                @Override
                public void onError(RuntimeException error) {
                }
            }, c));
        }
        long until = System.nanoTime() + 10_000_000_000L;
        while (started.get() < SLOTS && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertEquals(SLOTS, started.get());
        ok = true;
        } finally {
            if (!ok) {
                tokens.forEach(CancellationToken::cancel);
            }
        }
        return tokens;
    }

    @Test
    void aClientThatStopsReadingDoesNotStallTheOthers() throws Exception {
        // A streaming request whose client never reads its response.
        try (Socket stalled = openStream(endlessStream())) {
            long t0 = System.nanoTime();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<HttpResponse<String>>> others = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Callable<HttpResponse<String>> call = () -> http.post("/v1/chat/completions", chat("Hello", 20, null, 0.0));
                    others.add(pool.submit(call));
                }
                for (Future<HttpResponse<String>> f : others) {
                    HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
                    assertEquals(200, r.statusCode(), r.body());
                    assertEquals(20, json(r.body()).at("/usage/completion_tokens").asInt());
                }
            }
            assertTrue((System.nanoTime() - t0) / 1e9 < 20, "the others finished while one client was not reading");
        }
        awaitIdle();
    }

    @Test
    void aVanishedClientFreesItsSlotWithinAStep() throws Exception {
        try (Socket client = openStream(endlessStream())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            assertTrue(status != null && status.contains(" 200"), "status line: " + status);
            String line;
            while ((line = in.readLine()) != null && !line.startsWith("data: ")) {
                // headers and blank lines
            }
            assertTrue(line != null, "a first event arrived");
        }
        awaitIdle();
        double tokens = metric("quill_generated_tokens_total");
        Thread.sleep(300);
        assertEquals(tokens, metric("quill_generated_tokens_total"), "nothing is generated for a client that left");
    }

    @Test
    void aStreamThatFillsItsBufferIsCancelled() throws Exception {
        ServedModel m = model();
        int[] prompt = m.tokenizer().encode("Once upon a time", true, false);
        SamplingParams endless = SamplingParams.builder().temperature(0).logitBias(Map.of(2, -100f)).build();
        AtomicInteger received = new AtomicInteger();
        var outcome = new java.util.concurrent.CompletableFuture<GenerationResult>();
        // A subscriber that takes one event and then never asks for more: a client that stopped reading.
        GenerationSession.start(m, List.of(new GenerationRequest(prompt, endless, 240, List.of())), new NoMetrics(outcome), BUFFER)
                .subscribe().withSubscriber(new Flow.Subscriber<GenerationEvent>() {
                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        s.request(1);
                    }

                    @Override
                    public void onNext(GenerationEvent item) {
                        received.incrementAndGet();
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onComplete() {
                    }
                });
        GenerationResult r = outcome.get(30, TimeUnit.SECONDS);
        awaitIdle();
        assertEquals(dev.quill.engine.FinishReason.CANCELLED, r.finishReason());
        // One event delivered, BUFFER waiting, then the generation was stopped within a step.
        assertTrue(r.completionTokens() <= BUFFER + 3, "generated " + r.completionTokens() + " for a client that read one event");
        assertEquals(1, received.get());
    }

    private void awaitIdle() throws InterruptedException {
        long until = System.nanoTime() + 5_000_000_000L;
        while (model().worker().activeSequences() > 0 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertEquals(0, model().worker().activeSequences(), "every slot is free again");
    }

    private Socket openStream(String body) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(1024);
        s.setSoTimeout(30_000);
        s.connect(new java.net.InetSocketAddress(root.getHost(), root.getPort()), 10_000);
        OutputStream out = s.getOutputStream();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: " + root.getHost() + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return s;
    }

    private double metric(String name) {
        String text = http.get("/q/metrics").body();
        Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*model=\"" + ServerTestProfile.MODEL + "\"[^}]*} ([0-9.eE+]+)$").matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /** Metrics that only pass on a session's result, for a session driven outside the HTTP layer. */
    static final class NoMetrics extends ServerMetrics {
        private final java.util.concurrent.CompletableFuture<GenerationResult> outcome;

        NoMetrics(java.util.concurrent.CompletableFuture<GenerationResult> outcome) {
            super(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), null);
            this.outcome = outcome;
        }

        @Override
        public void completed(String model, GenerationResult result) {
            outcome.complete(result);
        }
    }
}
