package io.aixcl.daemon.tokens;

import io.aixcl.core.AixclException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How long a new token lives: {@code 30d}, {@code 12h}, {@code 90m}, {@code 45s}; at most ten years. */
public final class TokenLifetime {
    private static final Pattern FORM = Pattern.compile("(\\d{1,6})([dhms])");
    private static final Duration MAX = Duration.ofDays(3650);

    private TokenLifetime() {}

    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new AixclException.InvalidInput("invalid expiry '" + text + "': expected a number and a unit, "
                    + "d (days), h (hours), m (minutes) or s (seconds), e.g. 30d");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero() || d.compareTo(MAX) > 0) {
            throw new AixclException.InvalidInput("invalid expiry '" + text + "': expected more than zero and at "
                    + "most 3650d");
        }
        return d;
    }
}
