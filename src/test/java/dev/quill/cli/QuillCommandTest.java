package dev.quill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quill.testutil.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line as a user meets it: output, exit codes and error messages. */
class QuillCommandTest {
    private record Outcome(int status, String out, String err) {
    }

    private static Outcome quill(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Quill.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void generatePrintsLlamaCppsGreedyStoryAndAFiguresLine() {
        String model = SharedData.model("stories260K.gguf").toString();
        Outcome o = quill("generate", "--model", model, "--prompt", "Once upon a time", "--temperature", "0", "--max-tokens", "40");
        assertEquals(0, o.status(), o.err());
        // llama.cpp's greedy continuation (conformance/logits/stories260K.golden.json), prompt echoed first.
        assertTrue(o.out().startsWith("Once upon a time, there was a little girl named Lily. She loved to play outside in the park."), o.out());
        assertTrue(o.err().matches("(?s).*\\[prompt: 5 tokens, .* tok/s \\| generated: 40 tokens, .* tok/s \\| finish: length]\\s*"), o.err());
    }

    /**
     * The bench's JSON line is for scripts, so it must parse: without a bandwidth measurement the
     * figures derived from it are null, not NaN (which no JSON parser accepts).
     */
    @Test
    void benchWithoutBandwidthPrintsATableAndValidJson() throws Exception {
        String model = SharedData.model("stories260K.gguf").toString();
        Outcome o = quill("bench", "--model", model, "--threads", "1", "--prompt-tokens", "8", "--gen-tokens", "8",
                "--repeat", "1", "--no-bandwidth");
        assertEquals(0, o.status(), o.err());
        String jsonLine = o.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(jsonLine);
        // The test JVM runs with the launcher's -XX:ObjectAlignmentInBytes=64 (pom quill.jvm.args).
        assertEquals(64, json.get("object_alignment").asInt(), jsonLine);
        com.fasterxml.jackson.databind.JsonNode result = json.get("results").get(0);
        assertTrue(result.get("read_gbps").isNull(), jsonLine);
        assertTrue(result.get("efficiency").isNull(), jsonLine);
        assertTrue(result.get("decode_tps").asDouble() > 0, jsonLine);
        assertTrue(o.out().lines().anyMatch(l -> l.matches("\\s+1\\s+0\\s+.*\\s+-\\s+-\\s+-\\s+\\d+")), o.out());
    }

    /** The cached run reuses all but the prompt's last token, which it must compute for its logits. */
    @Test
    void benchCachedPrefixReusesThePromptFromThePrefixCache() {
        String model = SharedData.model("stories260K.gguf").toString();
        Outcome o = quill("bench", "--model", model, "--threads", "1", "--cached-prefix", "60");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("60-token prompt: first token cold ") && o.out().contains("(59 tokens reused)"), o.out());
    }

    @Test
    void inspectPrintsMetadataAndTensors() {
        Outcome o = quill("inspect", SharedData.model("micro-qwen2-q8_0.gguf").toString());
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("general.architecture"), o.out());
        assertTrue(o.out().contains("blk.0.attn_q.bias"), o.out());
        assertTrue(o.out().contains("Q8_0"), o.out());
    }

    @Test
    void errorsAreOneClearLineWithTheRightStatus() {
        Outcome missing = quill("generate", "--model", "/nonexistent/model.gguf", "--prompt", "x");
        assertEquals(1, missing.status());
        assertEquals("quill generate: file not found: /nonexistent/model.gguf", missing.err().strip());

        Outcome notGguf = quill("inspect", SharedData.require("README.md").toString());
        assertEquals(1, notGguf.status());
        assertTrue(notGguf.err().contains("not a GGUF file: bad magic"), notGguf.err());

        Outcome typo = quill("generate", "--modle", "x");
        assertEquals(2, typo.status());
        assertTrue(typo.err().startsWith("quill generate: unknown option --modle for 'generate'; options: "), typo.err());

        Outcome badNumber = quill("generate", "--model", "x", "--prompt", "y", "--temperature", "warm");
        assertEquals(2, badNumber.status());
        assertTrue(badNumber.err().startsWith("quill generate: --temperature must be a number, got 'warm'"), badNumber.err());

        String model = SharedData.model("stories260K.gguf").toString();
        Outcome outOfRange = quill("generate", "--model", model, "--prompt", "y", "--top-p", "1.5");
        assertEquals(2, outOfRange.status());
        assertTrue(outOfRange.err().contains("top_p must be in (0, 1]"), outOfRange.err());

        Outcome unknown = quill("frobnicate");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().startsWith("quill: unknown command 'frobnicate'; commands: "), unknown.err());
    }
}
