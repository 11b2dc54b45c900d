package dev.quill.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The kernels must be right for any vector width, not just this machine's. HotSpot's
 * {@code -XX:MaxVectorSize} narrows the preferred species, so the dot checks are rerun in child
 * JVMs with 256-, 128- and 64-bit vectors (8, 4 and 2 float lanes). The children skip warm-up:
 * getting every kernel through C2 there costs seconds, and the width-dependent logic (groups,
 * parts, offsets) is the same in the interpreter, which runs the Vector API's Java fallback.
 */
class VectorShapeTest {
    @Test
    void dotsMatchReferenceWithNarrowerVectors() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> children = new ArrayList<>();
        int[] maxVectorBytes = {32, 16, 8};
        for (int bytes : maxVectorBytes) {
            children.add(new ProcessBuilder(java, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                    "-XX:MaxVectorSize=" + bytes, "-cp", System.getProperty("java.class.path"),
                    ShapeCheckMain.class.getName())
                    .redirectErrorStream(true)
                    .start());
        }
        for (int i = 0; i < children.size(); i++) {
            Process child = children.get(i);
            // The children print a few lines at most, so waiting before reading cannot fill the pipe.
            boolean finished = child.waitFor(120, TimeUnit.SECONDS);
            if (!finished) {
                child.destroyForcibly().waitFor();
            }
            String output = new String(child.getInputStream().readAllBytes());
            int expectedLanes = maxVectorBytes[i] / 4;
            assertEquals(0, finished ? child.exitValue() : -1, "MaxVectorSize=" + maxVectorBytes[i] + ":\n" + output);
            assertTrue(output.contains("lanes=" + expectedLanes + " "),
                    "child did not run with " + expectedLanes + " lanes:\n" + output);
        }
    }
}
