package dev.quill.cli;

import dev.quill.bench.BandwidthProbe;
import dev.quill.bench.Benchmark;
import dev.quill.tensor.ThreadPool;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code quill bench}: prompt and generation speed, memory bandwidth and efficiency. */
final class BenchCommand implements Quill.Command {
    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        CommandLine cl = CommandLine.parse("bench", args, Set.of("model", "threads", "prompt-tokens", "gen-tokens",
                "repeat", "depth", "batch-size", "bandwidth-mb", "concurrency", "cached-prefix"), Set.of("no-bandwidth"));
        if (!cl.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + cl.positional().get(0) + "'");
        }
        Path model = Path.of(cl.required("model"));
        List<Integer> threadCounts = parseList(cl.string("threads", String.valueOf(Runtime.getRuntime().availableProcessors())), "threads");
        List<Integer> depths = parseList(cl.string("depth", "0"), "depth");
        int promptTokens = positive(cl.integer("prompt-tokens", 128), "prompt-tokens");
        int genTokens = positive(cl.integer("gen-tokens", 64), "gen-tokens");
        int repeat = positive(cl.integer("repeat", 5), "repeat");
        int batch = positive(cl.integer("batch-size", 128), "batch-size");
        long bandwidthBytes = (long) positive(cl.integer("bandwidth-mb", 1024), "bandwidth-mb") << 20;

        if (cl.has("cached-prefix")) {
            int prefix = positive(cl.integer("cached-prefix", 1000), "cached-prefix");
            for (int threads : threadCounts) {
                var r = dev.quill.bench.ConcurrencyBenchmark.prefixCache(model, threads, prefix, batch);
                out.printf(Locale.ROOT, "model %s, %d threads, %d-token prompt: first token cold %.3f s, with the prefix cached "
                        + "%.3f s (%d tokens reused): %.0fx faster%n", model.getFileName(), threads, prefix, r.coldSeconds(),
                        r.warmSeconds(), r.cachedTokens(), r.coldSeconds() / r.warmSeconds());
            }
            return 0;
        }
        if (cl.has("concurrency")) {
            List<Integer> levels = parseList(cl.string("concurrency", "1"), "concurrency");
            for (int threads : threadCounts) {
                var settings = new dev.quill.bench.ConcurrencyBenchmark.Settings(threads, promptTokens, genTokens, repeat, batch);
                var rows = dev.quill.bench.ConcurrencyBenchmark.run(model, settings, levels);
                out.printf(Locale.ROOT, "model %s, %d threads, prompt %d tokens, %d generated per stream, median of %d%n",
                        model.getFileName(), threads, promptTokens, genTokens, repeat);
                out.printf(Locale.ROOT, "%8s %22s %20s %18s %12s%n", "streams", "aggregate tok/s", "per stream tok/s",
                        "first token (s)", "vs 1 stream");
                double single = rows.get(0).aggregateTokensPerSecond();
                for (var r : rows) {
                    out.printf(Locale.ROOT, "%8d %22.1f %20.1f %18.3f %11.2fx%n", r.streams(), r.aggregateTokensPerSecond(),
                            r.perStreamTokensPerSecond(), r.medianFirstTokenSeconds(), r.aggregateTokensPerSecond() / single);
                    if (r.peakRunningStreams() < r.streams()) {
                        err.printf(Locale.ROOT, "note: at most %d of the %d streams ran at once%n", r.peakRunningStreams(),
                                r.streams());
                    }
                }
            }
            return 0;
        }
        if (!dev.quill.tensor.CacheAlignment.objectsCacheLineAligned()) {
            err.println("note: objects are not 64-byte aligned (run through the quill launcher, or add "
                    + "-XX:ObjectAlignmentInBytes=64): the matrix kernels run 20-30% slower");
        }
        List<Benchmark.Result> results = new ArrayList<>();
        List<Double> bandwidths = new ArrayList<>();
        for (int threads : threadCounts) {
            double bandwidth = Double.NaN;
            if (!cl.flag("no-bandwidth")) {
                try (ThreadPool pool = new ThreadPool(threads)) {
                    bandwidth = BandwidthProbe.measure(pool, bandwidthBytes, 3);
                }
            }
            for (int depth : depths) {
                if (depth < 0) {
                    throw new UsageException("--depth must be >= 0");
                }
                Benchmark.Result r = Benchmark.run(model, new Benchmark.Settings(threads, promptTokens, genTokens, repeat, depth, batch));
                results.add(r);
                bandwidths.add(bandwidth);
                err.printf(Locale.ROOT, "threads %d, depth %d: prefill %.1f tok/s, decode %.1f tok/s%n", threads, depth,
                        r.prefill().median(), r.decode().median());
            }
        }
        printTable(out, model, results, bandwidths);
        return 0;
    }

    private static void printTable(PrintStream out, Path model, List<Benchmark.Result> results, List<Double> bandwidths) {
        Benchmark.Result first = results.get(0);
        out.printf(Locale.ROOT, "model %s: %.1f MB file, %.1f MB of weights read per token, loaded (mapped) in %.3f s%n",
                model.getFileName(), first.fileBytes() / 1e6, first.bytesPerToken() / 1e6, first.loadSeconds());
        out.printf(Locale.ROOT, "%7s %6s %22s %22s %10s %9s %11s %8s%n", "threads", "depth",
                "prefill " + first.settings().promptTokens() + " tok/s", "decode " + first.settings().genTokens() + " tok/s",
                "read GB/s", "ceiling", "efficiency", "RSS MB");
        StringBuilder json = new StringBuilder("{\"model\":\"").append(model.getFileName())
                .append("\",\"object_alignment\":").append(dev.quill.tensor.CacheAlignment.objectAlignmentBytes())
                .append(",\"results\":[");
        for (int i = 0; i < results.size(); i++) {
            Benchmark.Result r = results.get(i);
            double bw = bandwidths.get(i);
            double ceiling = bw / r.bytesPerToken();
            double efficiency = r.decode().median() / ceiling;
            // Without a bandwidth measurement (--no-bandwidth) the three derived figures are unknown.
            out.printf(Locale.ROOT, "%7d %6d %22s %22s %10s %9s %11s %8d%n", r.settings().threads(), r.settings().depth(),
                    rate(r.prefill()), rate(r.decode()), cell(bw / 1e9, "%.1f"), cell(ceiling, "%.1f"),
                    cell(efficiency * 100, "%.0f%%"), r.residentBytes() >> 20);
            if (i > 0) {
                json.append(',');
            }
            json.append(String.format(Locale.ROOT,
                    "{\"threads\":%d,\"depth\":%d,\"prompt_tokens\":%d,\"gen_tokens\":%d,\"repeat\":%d,"
                            + "\"prefill_tps\":%.2f,\"prefill_min\":%.2f,\"prefill_max\":%.2f,"
                            + "\"decode_tps\":%.2f,\"decode_min\":%.2f,\"decode_max\":%.2f,"
                            + "\"read_gbps\":%s,\"bytes_per_token\":%d,\"decode_ceiling_tps\":%s,\"efficiency\":%s,"
                            + "\"load_s\":%.3f,\"rss_bytes\":%d,\"kv_bytes\":%d}",
                    r.settings().threads(), r.settings().depth(), r.settings().promptTokens(), r.settings().genTokens(),
                    r.settings().repeat(), r.prefill().median(), r.prefill().min(), r.prefill().max(), r.decode().median(),
                    r.decode().min(), r.decode().max(), jsonNumber(bw / 1e9, "%.2f"), r.bytesPerToken(),
                    jsonNumber(ceiling, "%.2f"), jsonNumber(efficiency, "%.3f"), r.loadSeconds(),
                    r.residentBytes(), r.kvBytes()));
        }
        out.println(json.append("]}"));
    }

    /** A table cell: the formatted value, or "-" when it was not measured. */
    private static String cell(double value, String format) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, format, value) : "-";
    }

    /** A JSON number, or null when it was not measured (JSON has no NaN). */
    private static String jsonNumber(double value, String format) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, format, value) : "null";
    }

    private static String rate(Benchmark.Rate r) {
        return String.format(Locale.ROOT, "%.1f (%.1f–%.1f)", r.median(), r.min(), r.max());
    }

    private static int positive(int v, String name) {
        if (v < 1) {
            throw new UsageException("--" + name + " must be >= 1, got " + v);
        }
        return v;
    }

    private static List<Integer> parseList(String s, String name) {
        List<Integer> out = new ArrayList<>();
        for (String part : s.split(",")) {
            try {
                out.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + " takes integers separated by commas, got '" + s + "'");
            }
        }
        return out;
    }

    @Override
    public String summary() {
        return "measure prompt and generation speed, memory bandwidth and efficiency";
    }

    @Override
    public String usage() {
        return """
                usage: quill bench --model FILE [options]

                  --threads N[,N...]     thread counts to measure, e.g. 1,2 for a scaling table (default: all cores)
                  --prompt-tokens N      prompt length for the prefill figure (default 128)
                  --gen-tokens N         tokens generated for the decode figure (default 64)
                  --repeat N             timed repeats after a warm-up; the median is reported (default 5)
                  --depth N[,N...]       tokens already in the context while decoding (default 0)
                  --batch-size N         prompt tokens per forward step (default 128)
                  --bandwidth-mb N       buffer for the read-bandwidth probe (default 1024)
                  --no-bandwidth         skip the bandwidth probe
                  --concurrency N[,N...] instead: aggregate generation speed with N streams at once through
                                         the batching scheduler (each --prompt-tokens random tokens, then
                                         --gen-tokens generated), e.g. 1,2,4,8
                  --cached-prefix N      instead: time to first token of an N-token prompt, cold and with
                                         the prompt in the prefix cache (median of 3), after a
                                         warm-up that runs a cache hit of another prompt

                Prints a table (median and range of the repeats; ceiling = read bandwidth / bytes of
                weights per token; efficiency = decode rate / ceiling) and one JSON line for scripts.""";
    }
}
