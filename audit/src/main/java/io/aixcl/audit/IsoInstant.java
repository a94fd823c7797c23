package io.aixcl.audit;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * {@link Instant#toString()}'s exact text (ISO-8601 in UTC, seconds always, the fraction in groups of three digits
 * only as long as needed), written without the DateTimeFormatter machinery, which cost more than the rest of an audit
 * entry's encoding. Years outside 0000-9999, which ISO writes with a sign, go through {@code toString}.
 */
final class IsoInstant {

    private IsoInstant() {}

    static void append(Utf8Builder b, Instant t) {
        LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), 0, ZoneOffset.UTC);
        if (d.getYear() < 0 || d.getYear() > 9999) {
            b.ascii(t.toString());
            return;
        }
        b.digits(d.getYear(), 4);
        b.ascii("-");
        b.digits(d.getMonthValue(), 2);
        b.ascii("-");
        b.digits(d.getDayOfMonth(), 2);
        b.ascii("T");
        b.digits(d.getHour(), 2);
        b.ascii(":");
        b.digits(d.getMinute(), 2);
        b.ascii(":");
        b.digits(d.getSecond(), 2);
        int nano = t.getNano();
        if (nano != 0) {
            b.ascii(".");
            if (nano % 1_000_000 == 0) {
                b.digits(nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                b.digits(nano / 1000, 6);
            } else {
                b.digits(nano, 9);
            }
        }
        b.ascii("Z");
    }
}
