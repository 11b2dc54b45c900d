package dev.quill.api.openai;

import static dev.quill.server.TestHttp.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.server.ServerTestProfile;
import dev.quill.server.TestHttp;
import dev.quill.testutil.SharedData;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A client that goes away stops its generation: the generated-token counter in /q/metrics stops
 * growing right after the connection closes, long before max_tokens.
 */
@QuarkusTest
@TestProfile(ServerTestProfile.class)
class DisconnectTest {
    private static final int MAX_TOKENS = 240;
    /**
     * Prompts in the request, generated one after another: a warm JIT decodes stories260K's 240
     * tokens in a few milliseconds, faster than a close reaches the server, so one prompt alone
     * could finish before the disconnect is noticed.
     */
    private static final int PROMPTS = 8;

    @TestHTTPResource("/")
    URI root;

    private TestHttp http;

    @BeforeEach
    void setUp() {
        SharedData.model("stories260K.gguf");
        http = new TestHttp(root, ServerTestProfile.API_KEY);
        // Loads the model, so the counter exists and loading time does not count.
        assertEquals(200, http.post("/v1/completions", body("{'prompt':'A','max_tokens':1}")).statusCode());
    }

    @ParameterizedTest(name = "stream={0}")
    @ValueSource(booleans = {true, false})
    void closingTheConnectionStopsGeneration(boolean stream) throws Exception {
        double before = generatedTokens();
        // End-of-sequence is banned, so only the limit or a cancellation can end this generation.
        String prompts = String.join(",", java.util.Collections.nCopies(PROMPTS, "'Once upon a time'"));
        String request = body("{'prompt':[" + prompts + "],'max_tokens':" + MAX_TOKENS
                + ",'temperature':0,'logit_bias':{'2':-100},'stream':" + stream + "}");
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            byte[] bytes = request.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: " + root.getHost() + "\r\nAuthorization: Bearer "
                    + ServerTestProfile.API_KEY + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            if (stream) {
                waitForFrames(socket.getInputStream(), 3);
            } else {
                waitUntilGenerating(before);
            }
        }
        double afterClose = settle();
        double generated = afterClose - before;
        assertTrue(generated < PROMPTS * MAX_TOKENS, "generation should stop at the disconnect, but " + generated
                + " of " + PROMPTS * MAX_TOKENS + " tokens were generated");
        Thread.sleep(300);
        assertEquals(afterClose, generatedTokens(), "no tokens after the client left");
        // The worker is free again for the next request.
        assertEquals(200, http.post("/v1/completions", body("{'prompt':'A','max_tokens':2}")).statusCode());
    }

    private void waitForFrames(InputStream in, int frames) throws Exception {
        StringBuilder seen = new StringBuilder();
        byte[] buf = new byte[4096];
        while (seen.toString().split("data: ", -1).length - 1 < frames) {
            int n = in.read(buf);
            assertTrue(n > 0, "the stream ended early: " + seen);
            seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
    }

    private void waitUntilGenerating(double before) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (generatedTokens() - before < 3) {
            assertTrue(System.nanoTime() < deadline, "generation did not start");
            Thread.sleep(5);
        }
    }

    /** The counter once it has stopped moving (at most a step after the close is noticed). */
    private double settle() throws InterruptedException {
        double last = generatedTokens();
        for (int i = 0; i < 50; i++) {
            Thread.sleep(50);
            double now = generatedTokens();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private double generatedTokens() {
        String metrics = http.get("/q/metrics").body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("quill_generated_tokens_total{") && line.contains("model=\"stories260K\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
