package dev.quill.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * C2 stops inlining a method that only {@code -XX:CompileCommand=inline} asks for (our {@link
 * Simd} helpers) once the graph it is building passes 18,000 nodes; the JDK's own force-inlined
 * vector methods are exempt. A helper left out of line boxes its vectors and its kernel runs the
 * Vector API's Java fallback, allocating and ~50x slower. Where a kernel stands against that
 * limit varies a little with each run's profile, so a kernel close to it fails only on some runs
 * (the tiled batch kernel did, in CI). This test makes the
 * margin visible on every run: a child JVM compiles every kernel with the JIT's compilation log
 * on, and each C2 compilation of a kernel must have begun its last helper well below the limit.
 */
class KernelInliningBudgetTest {
    /** C2's NodeCountInliningCutoff, a constant in product JVMs. */
    private static final int INLINING_CUTOFF_NODES = 18_000;
    /**
     * Room kept below the cutoff. The same kernel's count moved by 700 nodes between runs (the
     * tiled kernel began its last load at 17,100 to 17,800, and past 18,000 in CI; profiles prune
     * different branches); the largest kernels now sit near 15,100.
     */
    static final int REQUIRED_HEADROOM_NODES = 1_500;

    private static final Pattern TASK = Pattern.compile("^<task [^>]*method='([^ ']+) ([^ ']+) ");
    private static final Pattern LEVEL = Pattern.compile(" level='(\\d)'");
    private static final Pattern KLASS = Pattern.compile("^<klass id='(\\d+)' name='([^']+)'");
    private static final Pattern METHOD = Pattern.compile("^<method id='(\\d+)' holder='(\\d+)' name='([^']+)'");
    private static final Pattern PARSE = Pattern.compile("^<parse method='(\\d+)'");
    private static final Pattern PARSE_DONE = Pattern.compile("^<parse_done nodes='(\\d+)'");

    /** One C2 compilation of one of our methods, as far as the inlining budget goes. */
    record Compilation(String method, boolean osr, int nodesAtLastHelper, int cutoffFailures) {
    }

    @Test
    void everyKernelStaysWellInsideC2sInliningBudget(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("jit.log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The kernel flags this JVM runs with (the launcher's), without agents such as coverage.
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-modules") || arg.startsWith("-XX:CompileCommand")
                    || arg.startsWith("-XX:ObjectAlignmentInBytes") || arg.startsWith("--enable-native-access")) {
                command.add(arg);
            }
        }
        assertTrue(command.stream().anyMatch(a -> a.contains("dev.quill.tensor.Simd")),
                "the test JVM should run with the launcher's CompileCommand for Simd: " + command);
        command.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+LogCompilation", "-XX:LogFile=" + log,
                "-cp", System.getProperty("java.class.path"), KernelWarmUpMain.class.getName()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.txt").toFile()).start();
        boolean finished = child.waitFor(300, TimeUnit.SECONDS);
        if (!finished) {
            child.destroyForcibly().waitFor();
        }
        String output = Files.readString(dir.resolve("out.txt"));
        assertEquals(0, finished ? child.exitValue() : -1, "warm-up child:\n" + output);

        List<Compilation> compilations = readC2Compilations(log);
        Map<String, Integer> worstByMethod = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Compilation c : compilations) {
            worstByMethod.merge(c.method(), c.nodesAtLastHelper(), Math::max);
            if (c.cutoffFailures() > 0) {
                problems.add(c + ": C2 left " + c.cutoffFailures() + " call(s) out of line at the node cutoff");
            } else if (c.nodesAtLastHelper() > INLINING_CUTOFF_NODES - REQUIRED_HEADROOM_NODES) {
                problems.add(c + ": within " + (INLINING_CUTOFF_NODES - c.nodesAtLastHelper())
                        + " nodes of the cutoff (keep " + REQUIRED_HEADROOM_NODES + ")");
            }
        }
        for (GgmlType type : KernelChecks.TYPES) {
            String prefix = "dev.quill.tensor." + type.name() + "Matrix ";
            assertTrue(worstByMethod.keySet().stream().anyMatch(m -> m.startsWith(prefix)),
                    "no C2 compilation of " + type + "'s kernels in the log; compiled: " + worstByMethod.keySet());
        }
        assertTrue(worstByMethod.containsKey("dev.quill.tensor.TiledMatMul threeRowsFourVectors"),
                "the tiled batch kernel was not C2-compiled; compiled: " + worstByMethod.keySet());
        assertTrue(problems.isEmpty(), String.join("\n", problems) + "\nnodes when each method's last helper began: "
                + worstByMethod);
    }

    /** Quill's own classes, not the warm-up's (whose loop may inline a kernel as the server never does). */
    private static boolean isProductCode(String className) {
        return className.startsWith("dev.quill.") && !className.equals(KernelWarmUpMain.class.getName())
                && !className.equals(KernelChecks.class.getName());
    }

    /** C2 compilations of Quill's methods in a {@code -XX:+LogCompilation} file. */
    static List<Compilation> readC2Compilations(Path log) throws IOException {
        List<Compilation> result = new ArrayList<>();
        Map<String, String> klassNames = new HashMap<>();
        Map<String, String> methodHolders = new HashMap<>();
        String method = null;
        boolean osr = false;
        int lastParsedNodes = 0;
        int nodesAtLastHelper = 0;
        int cutoffFailures = 0;
        try (BufferedReader in = Files.newBufferedReader(log)) {
            for (String line; (line = in.readLine()) != null;) {
                if (method == null) {
                    Matcher task = TASK.matcher(line);
                    // C1 tasks carry a tier level; C2's carry none (or 4).
                    Matcher level = LEVEL.matcher(line);
                    if (task.find() && isProductCode(task.group(1))
                            && (!level.find() || level.group(1).equals("4"))) {
                        method = task.group(1) + " " + task.group(2);
                        osr = line.contains("compile_kind='osr'");
                        klassNames.clear();
                        methodHolders.clear();
                        lastParsedNodes = 0;
                        nodesAtLastHelper = 0;
                        cutoffFailures = 0;
                    }
                    continue;
                }
                if (line.startsWith("</task>")) {
                    result.add(new Compilation(method, osr, nodesAtLastHelper, cutoffFailures));
                    method = null;
                    continue;
                }
                Matcher m;
                if ((m = PARSE_DONE.matcher(line)).find()) {
                    lastParsedNodes = Integer.parseInt(m.group(1));
                } else if ((m = PARSE.matcher(line)).find()) {
                    String holder = klassNames.get(methodHolders.get(m.group(1)));
                    // The graph's size when this callee began is about that at the last callee's end.
                    if (holder != null && holder.equals(Simd.class.getName())) {
                        nodesAtLastHelper = Math.max(nodesAtLastHelper, lastParsedNodes);
                    }
                } else if ((m = METHOD.matcher(line)).find()) {
                    methodHolders.put(m.group(1), m.group(2));
                } else if ((m = KLASS.matcher(line)).find()) {
                    klassNames.put(m.group(1), m.group(2).replace('/', '.'));
                } else if (line.contains("reason='NodeCountInliningCutoff'")) {
                    cutoffFailures++;
                }
            }
        }
        return result;
    }
}
