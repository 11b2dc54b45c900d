package dev.quill.chat;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.util.Locale;

/**
 * Python's {@code datetime.strftime} for a naive local time in the C locale, including glibc's
 * {@code %-d} style no-padding flag. {@code %Z} and {@code %z} are empty, as for a naive datetime.
 */
final class Strftime {
    private Strftime() {
    }

    static String format(String pattern, LocalDateTime t) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 >= pattern.length()) {
                out.append(c);
                continue;
            }
            char d = pattern.charAt(++i);
            boolean noPad = false;
            if (d == '-' && i + 1 < pattern.length()) {
                noPad = true;
                d = pattern.charAt(++i);
            }
            String field = field(d, t);
            if (field == null) {
                out.append('%').append(noPad ? "-" : "").append(d);
            } else {
                out.append(noPad ? stripLeadingZeros(field) : field);
            }
        }
        return out.toString();
    }

    private static String stripLeadingZeros(String s) {
        String stripped = s.trim().replaceFirst("^0+(?=\\d)", "");
        return stripped;
    }

    private static String field(char d, LocalDateTime t) {
        int hour12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
        return switch (d) {
            case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US);
            case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US);
            case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.US);
            case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.US);
            case 'c' -> field('a', t) + " " + field('b', t) + " " + String.format("%2d", t.getDayOfMonth()) + " "
                    + field('X', t) + " " + t.getYear();
            case 'd' -> two(t.getDayOfMonth());
            case 'e' -> String.format("%2d", t.getDayOfMonth());
            case 'f' -> String.format("%06d", t.getNano() / 1000);
            case 'H' -> two(t.getHour());
            case 'I' -> two(hour12);
            case 'j' -> String.format("%03d", t.getDayOfYear());
            case 'm' -> two(t.getMonthValue());
            case 'M' -> two(t.getMinute());
            case 'p' -> t.getHour() < 12 ? "AM" : "PM";
            case 'S' -> two(t.getSecond());
            case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
            case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
            case 'U' -> two((t.getDayOfYear() + 6 - t.getDayOfWeek().getValue() % 7) / 7);
            case 'W' -> two((t.getDayOfYear() + 6 - (t.getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue())) / 7);
            case 'V' -> two(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case 'G' -> Integer.toString(t.get(IsoFields.WEEK_BASED_YEAR));
            case 'g' -> two(t.get(IsoFields.WEEK_BASED_YEAR) % 100);
            case 'x' -> field('m', t) + "/" + field('d', t) + "/" + field('y', t);
            case 'X', 'T' -> field('H', t) + ":" + field('M', t) + ":" + field('S', t);
            case 'D' -> field('x', t);
            case 'F' -> field('Y', t) + "-" + field('m', t) + "-" + field('d', t);
            case 'R' -> field('H', t) + ":" + field('M', t);
            case 'y' -> two(t.get(ChronoField.YEAR) % 100);
            case 'Y' -> Integer.toString(t.getYear());
            case 'Z', 'z' -> "";
            case 'n' -> "\n";
            case 't' -> "\t";
            case '%' -> "%";
            default -> null;
        };
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }
}
