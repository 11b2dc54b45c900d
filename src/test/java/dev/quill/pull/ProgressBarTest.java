package dev.quill.pull;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private static final long MS = 1_000_000L;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong clock = new AtomicLong(1_000 * MS);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static long count(String s, char c) {
        return s.chars().filter(ch -> ch == c).count();
    }

    @Test
    void redrawsTheBarAtMostTenTimesASecond() {
        ProgressBar bar = new ProgressBar(out, ProgressBar.Style.BAR, clock::get);
        long total = 100_000_000;
        bar.started(0, total);
        // 1000 chunks over 2 seconds: 2 ms apart.
        for (int i = 1; i <= 1000; i++) {
            clock.addAndGet(2 * MS);
            bar.progressed(i * 100_000L, total);
        }
        bar.stopped(total, total);
        String s = printed();
        long redraws = count(s, '\r');
        assertTrue(redraws >= 20 && redraws <= 23, redraws + " redraws in 2 s");
        assertEquals(1, count(s, '\n'), "the bar stays on one line until the end");
        assertEquals(1, s.split("100% \\[", -1).length - 1, "100% is drawn once");
        assertTrue(s.endsWith("\n"), s);
        // Trailing spaces blank out the longer line before (it had an ETA).
        assertTrue(s.endsWith("\r100% [==============================] 100.0 MB / 100.0 MB  50.0 MB/s" + " ".repeat(9) + "\n"), s);
    }

    @Test
    void showsPercentageBytesSpeedAndTimeLeft() {
        ProgressBar bar = new ProgressBar(out, ProgressBar.Style.BAR, clock::get);
        bar.started(0, 1_000_000_000);
        clock.addAndGet(10_000 * MS);
        bar.progressed(250_000_000, 1_000_000_000);
        String s = printed();
        String last = s.substring(s.lastIndexOf('\r') + 1);
        assertEquals(" 25% [=======>                      ] 250.0 MB / 1.00 GB  25.0 MB/s  ETA 0:30", last);
    }

    @Test
    void countsSpeedFromThisRunOnlyWhenResuming() {
        ProgressBar bar = new ProgressBar(out, ProgressBar.Style.LINES, clock::get);
        bar.started(500_000_000, 1_000_000_000);
        clock.addAndGet(10_000 * MS);
        bar.progressed(600_000_000, 1_000_000_000);
        assertTrue(printed().contains(" 60% 600.0 MB / 1.00 GB  10.0 MB/s  ETA 0:40\n"), printed());
    }

    @Test
    void printsPlainLinesForEachTenthWhenNotOnATerminal() {
        ProgressBar bar = new ProgressBar(out, ProgressBar.Style.LINES, clock::get);
        long total = 1_000_000;
        bar.started(0, total);
        for (int i = 1; i <= 1000; i++) {
            clock.addAndGet(MS);
            bar.progressed(i * 1000L, total);
        }
        bar.stopped(total, total);
        String s = printed();
        assertFalse(s.contains("\r"), "no carriage returns in logs");
        assertEquals(11, count(s, '\n'), s); // 0%, 10%, ..., 100%, with no repeat at the end
        assertTrue(s.contains("\n 50% 500.0 kB / 1.0 MB"), s);
    }

    @Test
    void printsALineEveryTenSecondsWhenTheSizeIsUnknown() {
        ProgressBar bar = new ProgressBar(out, ProgressBar.Style.LINES, clock::get);
        bar.started(0, -1);
        for (int i = 1; i <= 30; i++) {
            clock.addAndGet(1_000 * MS);
            bar.progressed(i * 1_000_000L, -1);
        }
        assertEquals(4, count(printed(), '\n'), printed()); // at the start, then at 10, 20 and 30 s
        assertTrue(printed().contains("30.0 MB  1.0 MB/s\n"), printed());
    }

    @Test
    void notesEndTheBarLineFirst() {
        ProgressBar bar = new ProgressBar(out, ProgressBar.Style.BAR, clock::get);
        bar.started(0, 100);
        bar.note("connection lost");
        assertTrue(printed().endsWith("\nconnection lost\n"), printed());
    }

    @Test
    void formatsSizesAndDurations() {
        assertEquals("999 B", ProgressBar.formatBytes(999));
        assertEquals("1.0 kB", ProgressBar.formatBytes(1000));
        assertEquals("1.0 MB", ProgressBar.formatBytes(999_999));
        assertEquals("145.0 MB", ProgressBar.formatBytes(145_000_000));
        assertEquals("1.00 GB", ProgressBar.formatBytes(999_999_999));
        assertEquals("4.92 GB", ProgressBar.formatBytes(4_920_000_000L));
        assertEquals("0:05", ProgressBar.formatDuration(5));
        assertEquals("2:05", ProgressBar.formatDuration(125));
        assertEquals("1:02:05", ProgressBar.formatDuration(3725));
    }
}
