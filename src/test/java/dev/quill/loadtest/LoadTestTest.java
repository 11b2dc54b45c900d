package dev.quill.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.testutil.SharedData;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The load test against the server on stories260K: 16 concurrent streaming clients for a minute
 * (QUILL_LOADTEST_SECONDS shortens or lengthens it).
 */
@QuarkusTest
@TestProfile(LoadTestTest.Profile.class)
class LoadTestTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path dir = Files.createTempDirectory("quill-loadtest-models");
                Files.copy(SharedData.model("stories260K.gguf"), dir.resolve("stories260K.gguf"));
                dir.toFile().deleteOnExit();
                dir.resolve("stories260K.gguf").toFile().deleteOnExit();
                return Map.of("quill.models-dir", dir.toString(), "quill.max-sequences", "16", "quill.queue-size", "16",
                        "quill.context-length", "256", "quill.threads", "2", "quill.import-prompts", "false");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @TestHTTPResource("/")
    URI root;

    @Test
    void sixteenStreamsForAMinuteCompleteWithoutErrorsOrMemoryGrowth() throws Exception {
        int seconds = Integer.parseInt(System.getenv().getOrDefault("QUILL_LOADTEST_SECONDS", "60"));
        LoadTest.Report report = new LoadTest(new LoadTest.Settings(root, null, 16, Duration.ofSeconds(seconds), 64, null, null))
                .run();
        System.out.println("load test, stories260K:\n" + report.format());
        assertEquals(0, report.unexpectedErrors(), "errors: " + report.errors());
        assertTrue(report.completed() >= 16, "completed " + report.completed());
        assertTrue(report.completionTokens() >= report.completed(), report.format());
        assertTrue(report.firstTokenP95() < 5, "time to first token p95 " + report.firstTokenP95());
        List<Long> rss = report.residentBytes();
        assertTrue(rss.size() >= 3, "resident memory sampled through the run: " + rss);
        // No growth trend: the heap grows to its working size in the first half (the test JVM hosts
        // several Quarkus apps), then the second half stays level.
        long middle = rss.get(rss.size() / 2);
        long end = rss.getLast();
        assertTrue(end <= middle * 1.15 + (64L << 20), "resident memory grew from " + (middle >> 20) + " MB mid-run to "
                + (end >> 20) + " MB: " + rss);
    }

    @Test
    void onlyLoopbackServersAndBoundedRuns() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new LoadTest(new LoadTest.Settings(URI.create("http://192.0.2.1:8080"), null, 4, Duration.ofSeconds(1), 8, null, null)));
        assertTrue(e.getMessage().contains("loopback"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new LoadTest.Settings(root, null, 65, Duration.ofSeconds(1), 8, null, null));
        assertThrows(IllegalArgumentException.class,
                () -> new LoadTest.Settings(root, null, 4, Duration.ofHours(1), 8, null, null));
    }

    @Test
    void percentilesOfSortedTimes() {
        List<Double> times = List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0);
        assertEquals(0.5, LoadTest.percentile(times, 0.5));
        assertEquals(1.0, LoadTest.percentile(times, 0.95));
        assertTrue(Double.isNaN(LoadTest.percentile(List.of(), 0.5)));
    }
}
