package dev.quill.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.testutil.SharedData;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConcurrencyBenchmarkTest {
    /**
     * 16 prompt + 64 generated tokens need three 32-token KV pages a stream; a budget of streams x
     * context tokens (324 for four) holds only three such streams, and the fourth then waited for
     * the others: the benchmark measured a partly serial run.
     */
    @Test
    void everyStreamOfALevelRunsInTheSameSteps() throws Exception {
        var settings = new ConcurrencyBenchmark.Settings(1, 16, 64, 1, 64);
        List<ConcurrencyBenchmark.Result> results =
                ConcurrencyBenchmark.run(SharedData.model("stories260K.gguf"), settings, List.of(1, 4));
        assertEquals(2, results.size());
        assertEquals(1, results.get(0).peakRunningStreams());
        assertEquals(4, results.get(1).peakRunningStreams());
        for (ConcurrencyBenchmark.Result r : results) {
            assertTrue(r.aggregateTokensPerSecond() > 0, r.toString());
        }
    }
}
