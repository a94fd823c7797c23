package io.aixcl.core.stack;

import java.time.Duration;
import java.util.regex.Pattern;

/** Parses durations as stack files write them: 500ms, 2s, 1m30s, 1h. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h))+");

    private Durations() {}

    /** The duration in {@code text}, or null when it is not one. */
    public static Duration parse(String text) {
        if (text == null || !WHOLE.matcher(text.trim()).matches()) {
            return null;
        }
        var m = PART.matcher(text.trim());
        Duration total = Duration.ZERO;
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
        }
        return total;
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s < 60 || s % 60 != 0) {
            return s + "s";
        }
        long m = s / 60;
        return m % 60 != 0 ? m + "m" : (m / 60) + "h";
    }
}
