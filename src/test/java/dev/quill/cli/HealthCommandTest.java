package dev.quill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.quill.pull.StandInServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** quill health against a stand-in health endpoint whose status the test sets. */
class HealthCommandTest {
    private record Outcome(int status, String out, String err) {
    }

    private HttpServer server;
    private final AtomicInteger status = new AtomicInteger(200);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean stall;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/q/health", exchange -> {
            if (stall) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] body = ("{\"status\":\"" + (status.get() == 200 ? "UP" : "DOWN") + "\",\"path\":\""
                    + exchange.getRequestURI().getPath() + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private int port() {
        return server.getAddress().getPort();
    }

    private static Outcome health(Map<String, String> env, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        var o = new PrintStream(out, true, StandardCharsets.UTF_8);
        var e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int code;
        try {
            code = new HealthCommand(env).run(args, o, e);
        } catch (UsageException usage) {
            code = 2;
            e.println(usage.getMessage());
        }
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void upIsExitZeroAndDownIsExitOneWithTheBody() throws Exception {
        String url = "http://127.0.0.1:" + port() + "/q/health/ready";
        Outcome up = health(Map.of(), "--url", url);
        assertEquals(0, up.status(), up.err());
        assertTrue(up.out().startsWith("200 {\"status\":\"UP\",\"path\":\"/q/health/ready\"}"), up.out());
        status.set(503);
        Outcome down = health(Map.of(), "--url", url);
        assertEquals(1, down.status());
        assertTrue(down.err().startsWith("503 {\"status\":\"DOWN\""), down.err());
    }

    @Test
    void theDefaultUrlIsTheLocalServerOnQuarkusHttpPort() throws Exception {
        Outcome o = health(Map.of("QUARKUS_HTTP_PORT", Integer.toString(port())));
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("\"path\":\"/q/health\""), o.out());
        assertEquals(URI.create("http://127.0.0.1:8080/q/health"), new HealthCommand(Map.of()).url(null));
    }

    @Test
    void noAnswerIsExitOneSayingWhy() throws Exception {
        Outcome refused = health(Map.of(), "--url", "http://127.0.0.1:" + StandInServer.refusedPort() + "/q/health");
        assertEquals(1, refused.status());
        assertTrue(refused.err().contains("nothing answers at"), refused.err());
        stall = true;
        Outcome slow = health(Map.of(), "--url", "http://127.0.0.1:" + port() + "/q/health", "--timeout", "1");
        assertEquals(1, slow.status());
        assertTrue(slow.err().contains("no answer from") && slow.err().contains("within 1 s"), slow.err());
    }

    @Test
    void badOptionsAreUsageErrors() throws Exception {
        for (String[] args : new String[][] {{"--url", "ftp://host/q/health"}, {"--url", "not a url"}, {"--timeout", "0"},
                {"extra"}}) {
            Outcome o = health(Map.of(), args);
            assertEquals(2, o.status(), String.join(" ", args) + ": " + o);
        }
        assertTrue(Quill.commands().containsKey("health"), "listed in quill --help");
    }
}
