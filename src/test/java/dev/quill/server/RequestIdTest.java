package dev.quill.server;

import static dev.quill.server.TestHttp.body;
import static dev.quill.server.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** X-Request-Id: taken from the caller or made, returned in the response, and in the request's log lines. */
@QuarkusTest
@TestProfile(ServerTestProfile.class)
class RequestIdTest {
    @TestHTTPResource("/")
    URI root;

    private TestHttp http;
    private final List<String[]> logged = new CopyOnWriteArrayList<>(); // {request_id from the MDC, message}
    private final Logger requestLogger = Logger.getLogger("dev.quill.requests");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            String id = r instanceof ExtLogRecord e ? e.getMdc(RequestIds.MDC_KEY) : null;
            logged.add(new String[] {id, r.getMessage() == null ? "" : String.format(r.getMessage().replace("%d", "%s"),
                    r.getParameters() == null ? new Object[0] : r.getParameters())});
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() {
        http = new TestHttp(root, ServerTestProfile.API_KEY);
        requestLogger.addHandler(capture);
    }

    @AfterEach
    void tearDown() {
        requestLogger.removeHandler(capture);
    }

    private HttpResponse<String> tokenize(String requestId) {
        HttpRequest.Builder b = http.builder("/api/tokenize")
                .POST(HttpRequest.BodyPublishers.ofString(body("{'model':'stories260K','content':'Lily'}")));
        if (requestId != null) {
            b.header(RequestIds.HEADER, requestId);
        }
        return http.send(b.build());
    }

    /** The request log line of the request with this id (it is written when the response ends). */
    private String[] logLineOf(String id) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            for (String[] line : logged) {
                if (id.equals(line[0])) {
                    return line;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no log line with request_id " + id + "; logged: "
                + logged.stream().map(l -> l[0] + " " + l[1]).toList());
    }

    @Test
    void aGivenIdIsReturnedAndLoggedWithTheRequest() throws InterruptedException {
        String id = "client-" + System.nanoTime();
        var r = tokenize(id);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(id, r.headers().firstValue(RequestIds.HEADER).orElse(null));
        String message = logLineOf(id)[1];
        assertTrue(message.startsWith("POST /api/tokenize 200 in "), message);
    }

    @Test
    void withoutAnIdEachRequestGetsANewOne() throws InterruptedException {
        String first = tokenize(null).headers().firstValue(RequestIds.HEADER).orElseThrow();
        String second = tokenize(null).headers().firstValue(RequestIds.HEADER).orElseThrow();
        assertNotEquals(first, second);
        assertTrue(RequestIds.VALID.matcher(first).matches(), first);
        assertTrue(logLineOf(second)[1].startsWith("POST /api/tokenize 200"), "the made id is the one logged");
    }

    @Test
    void refusedRequestsCarryTheIdToo() throws InterruptedException {
        var unauthorized = http.send(new TestHttp(root, null).builder("/v1/models").header(RequestIds.HEADER, "no-key-1")
                .GET().build());
        assertEquals(401, unauthorized.statusCode());
        assertEquals("no-key-1", unauthorized.headers().firstValue(RequestIds.HEADER).orElse(null));
        assertTrue(logLineOf("no-key-1")[1].startsWith("GET /v1/models 401"), "401s are logged with their id");
    }

    @Test
    void aMalformedIdIsA400NamingTheHeader() {
        for (String bad : List.of("has space", "x".repeat(129), "tab\there", "semi;colon")) {
            var r = tokenize(bad);
            assertEquals(400, r.statusCode(), bad + ": " + r.body());
            JsonNode error = json(r.body()).get("error");
            assertEquals("X-Request-Id", error.get("param").asText());
            assertTrue(error.get("message").asText().contains("1 to 128 characters"), r.body());
            String replacement = r.headers().firstValue(RequestIds.HEADER).orElseThrow();
            assertTrue(RequestIds.VALID.matcher(replacement).matches(), "the 400 carries a valid id of its own");
        }
        assertEquals(200, tokenize("fine.id_1:2/3").statusCode(), "a good request right after");
    }

    @Test
    void healthProbesAreAnsweredWithAnIdButNotLogged() throws InterruptedException {
        var r = http.send(http.builder("/q/health/live").header(RequestIds.HEADER, "probe-1").GET().build());
        assertEquals(200, r.statusCode());
        assertEquals("probe-1", r.headers().firstValue(RequestIds.HEADER).orElse(null));
        tokenize("after-probe-1");
        logLineOf("after-probe-1");
        assertTrue(logged.stream().noneMatch(l -> "probe-1".equals(l[0])), "probes would flood the log");
    }
}
