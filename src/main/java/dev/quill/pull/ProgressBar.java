package dev.quill.pull;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Shows a download's progress: percentage, bytes, speed and time left. On a terminal it redraws one
 * line in place at most ten times a second; otherwise (a log file, a pipe) it prints a plain line
 * every tenth of the file or every ten seconds, so logs stay readable.
 */
public final class ProgressBar implements DownloadListener {
    public enum Style {
        /** One line redrawn in place with carriage returns. */
        BAR,
        /** Separate lines, sparingly. */
        LINES
    }

    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long LINE_NANOS = 10_000_000_000L;
    private static final int BAR_WIDTH = 30;

    private final PrintStream out;
    private final Style style;
    private final LongSupplier nanoClock;

    private long startNanos;
    private long startBytes;
    private long lastDrawNanos;
    private long lastPrintedBytes = -1;
    private long lastDrawnBytes = -1;
    private int lastTenth = -1;
    private int drawnWidth;
    private boolean lineOpen;

    public ProgressBar(PrintStream out, Style style) {
        this(out, style, System::nanoTime);
    }

    ProgressBar(PrintStream out, Style style, LongSupplier nanoClock) {
        this.out = out;
        this.style = style;
        this.nanoClock = nanoClock;
    }

    /** {@link Style#BAR} when the process talks to a terminal, else {@link Style#LINES}. */
    public static Style styleForThisProcess() {
        // Java cannot ask whether stderr alone is a terminal; stdin and stdout being one is the usual sign.
        var console = System.console();
        return console != null && console.isTerminal() ? Style.BAR : Style.LINES;
    }

    @Override
    public void note(String message) {
        endLine();
        out.println(message);
        out.flush();
    }

    @Override
    public void started(long alreadyDownloaded, long totalBytes) {
        startNanos = nanoClock.getAsLong();
        startBytes = alreadyDownloaded;
        lastDrawNanos = Long.MIN_VALUE;
        lastTenth = tenth(alreadyDownloaded, totalBytes);
        if (style == Style.LINES) {
            printLine(alreadyDownloaded, totalBytes, startNanos);
        } else {
            draw(alreadyDownloaded, totalBytes, startNanos);
        }
    }

    @Override
    public void progressed(long downloadedBytes, long totalBytes) {
        long now = nanoClock.getAsLong();
        if (style == Style.BAR) {
            if (now - lastDrawNanos >= REDRAW_NANOS || downloadedBytes == totalBytes) {
                draw(downloadedBytes, totalBytes, now);
            }
        } else {
            int tenth = tenth(downloadedBytes, totalBytes);
            boolean newTenth = totalBytes > 0 && tenth > lastTenth;
            if (newTenth || now - lastDrawNanos >= LINE_NANOS) {
                lastTenth = Math.max(lastTenth, tenth);
                printLine(downloadedBytes, totalBytes, now);
            }
        }
    }

    @Override
    public void stopped(long downloadedBytes, long totalBytes) {
        long now = nanoClock.getAsLong();
        if (style == Style.BAR) {
            if (downloadedBytes != lastDrawnBytes) {
                draw(downloadedBytes, totalBytes, now);
            }
            endLine();
        } else if (downloadedBytes != lastPrintedBytes) {
            printLine(downloadedBytes, totalBytes, now);
        }
    }

    private void draw(long done, long total, long now) {
        String text = describe(done, total, now, true);
        StringBuilder line = new StringBuilder("\r").append(text);
        // Blank out the tail of a longer previous line.
        line.append(" ".repeat(Math.max(0, drawnWidth - text.length())));
        drawnWidth = text.length();
        out.print(line);
        out.flush();
        lineOpen = true;
        lastDrawNanos = now;
        lastDrawnBytes = done;
    }

    private void printLine(long done, long total, long now) {
        out.println(describe(done, total, now, false));
        out.flush();
        lastDrawNanos = now;
        lastPrintedBytes = done;
    }

    private void endLine() {
        if (lineOpen) {
            out.println();
            lineOpen = false;
            drawnWidth = 0;
        }
    }

    String describe(long done, long total, long now, boolean withBar) {
        StringBuilder b = new StringBuilder();
        if (total > 0) {
            double fraction = Math.min(1.0, (double) done / total);
            b.append(String.format(Locale.ROOT, "%3d%% ", (int) Math.floor(fraction * 100)));
            if (withBar) {
                int filled = (int) Math.floor(fraction * BAR_WIDTH);
                b.append('[').append("=".repeat(filled));
                if (filled < BAR_WIDTH) {
                    b.append('>').append(" ".repeat(BAR_WIDTH - filled - 1));
                }
                b.append("] ");
            }
            b.append(formatBytes(done)).append(" / ").append(formatBytes(total));
        } else {
            b.append(formatBytes(done));
        }
        double seconds = (now - startNanos) / 1e9;
        long fresh = done - startBytes;
        if (seconds >= 0.5 && fresh > 0) {
            double bytesPerSecond = fresh / seconds;
            b.append(String.format(Locale.ROOT, "  %.1f MB/s", bytesPerSecond / 1e6));
            if (total > 0 && done < total) {
                b.append("  ETA ").append(formatDuration((long) Math.ceil((total - done) / bytesPerSecond)));
            }
        }
        return b.toString();
    }

    private static int tenth(long done, long total) {
        return total > 0 ? (int) Math.min(10, done * 10 / total) : -1;
    }

    /** Decimal units, as Hugging Face shows file sizes: {@code 986 B}, {@code 145.0 MB}, {@code 4.92 GB}. */
    public static String formatBytes(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        // Thresholds sit where rounding would print "1000.0" of the smaller unit.
        if (bytes < 999_950) {
            return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
        }
        if (bytes < 999_950_000) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour up. */
    static String formatDuration(long seconds) {
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
