package io.aixcl.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.audit.AuditEvent;
import io.aixcl.core.audit.AuditEvent.Actor;
import io.aixcl.core.audit.AuditEvent.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalEntryTest {

    @Test
    void encodingIsCompactJsonWithSortedKeys() {
        AuditEvent e = new AuditEvent(Instant.parse("2026-01-02T03:04:05.123Z"), Actor.uid(1000), "stack.up", "dev",
                Map.of("profile", "dev", "force", "true"), Outcome.SUCCEEDED, "");
        assertThat(new String(CanonicalEntry.encode(e), StandardCharsets.UTF_8)).isEqualTo(
                "{\"action\":\"stack.up\",\"actor\":{\"id\":\"1000\",\"kind\":\"uid\"},\"detail\":\"\","
                        + "\"outcome\":\"succeeded\",\"parameters\":{\"force\":\"true\",\"profile\":\"dev\"},"
                        + "\"target\":\"dev\",\"time\":\"2026-01-02T03:04:05.123Z\",\"v\":1}");
    }

    @Test
    void stringsAreEscapedAsJcsDoesAndDecodeBack() {
        AuditEvent e = new AuditEvent(Instant.EPOCH, new Actor(Actor.Kind.TOKEN, "tok_1"), "secrets.show",
                "quote\" back\\ nl\n tab\t bell\u0007 é 日本",
                Map.of("z", "1", "a", "\u0000", "é", "ü"), Outcome.REFUSED, "line1\r\nline2");
        byte[] encoded = CanonicalEntry.encode(e);
        String json = new String(encoded, StandardCharsets.UTF_8);
        assertThat(json).contains("\"quote\\\" back\\\\ nl\\n tab\\t bell\\u0007 é 日本\"")
                .contains("\"parameters\":{\"a\":\"\\u0000\",\"z\":\"1\",\"é\":\"ü\"}");
        assertThat(CanonicalEntry.decode(encoded)).isEqualTo(e);
        assertThat(CanonicalEntry.encode(CanonicalEntry.decode(encoded))).isEqualTo(encoded);
    }

    /** The encoding as first written (StringBuilder, Instant.toString, one getBytes): every hash depends on it. */
    private static byte[] reference(AuditEvent e) {
        StringBuilder b = new StringBuilder();
        b.append("{\"action\":");
        CanonicalEntry.string(b, e.action());
        b.append(",\"actor\":{\"id\":");
        CanonicalEntry.string(b, e.actor().id());
        b.append(",\"kind\":");
        CanonicalEntry.string(b, e.actor().kind().name().toLowerCase(java.util.Locale.ROOT));
        b.append("},\"detail\":");
        CanonicalEntry.string(b, e.detail());
        b.append(",\"outcome\":");
        CanonicalEntry.string(b, e.outcome().name().toLowerCase(java.util.Locale.ROOT));
        b.append(",\"parameters\":{");
        boolean first = true;
        for (Map.Entry<String, String> p : new java.util.TreeMap<>(e.parameters()).entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            CanonicalEntry.string(b, p.getKey());
            b.append(':');
            CanonicalEntry.string(b, p.getValue());
        }
        b.append("},\"target\":");
        CanonicalEntry.string(b, e.target());
        b.append(",\"time\":");
        CanonicalEntry.string(b, e.time().toString());
        b.append(",\"v\":1}");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String randomText(java.util.Random r) {
        char[] pool = {'a', 'Z', '0', ' ', '"', '\\', '\n', '\u0001', '\u007f', '\u0080', 'é', '日', '\ud83d', '\ude00',
            '~', '/', '\t'};
        StringBuilder s = new StringBuilder();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            s.append(r.nextInt(3) == 0 ? pool[r.nextInt(pool.length)] : (char) ('a' + r.nextInt(26)));
        }
        return s.toString();
    }

    @Test
    void theDirectEncodingIsByteForByteTheReferenceOneForRandomEvents() {
        java.util.Random r = new java.util.Random(42);
        long[] nanos = {0, 1, 999_999_999, 123_000_000, 123_456_000, 123_456_789, 1_000, 1_000_000, 100};
        for (int i = 0; i < 20_000; i++) {
            // Seconds from year -1000 to 12000: the fast path's range and both sides of it.
            long second = -94_000_000_000L + (long) (r.nextDouble() * 410_000_000_000L);
            Instant time = Instant.ofEpochSecond(second, r.nextBoolean() ? nanos[r.nextInt(nanos.length)]
                    : r.nextInt(1_000_000_000));
            Map<String, String> params = new java.util.HashMap<>();
            for (int k = r.nextInt(4); k > 0; k--) {
                params.put(randomText(r), randomText(r));
            }
            AuditEvent e = new AuditEvent(time, new Actor(Actor.Kind.values()[r.nextInt(4)], randomText(r)),
                    randomText(r), randomText(r), params, Outcome.values()[r.nextInt(3)], randomText(r));
            assertThat(CanonicalEntry.encode(e)).as("event %s", e).isEqualTo(reference(e));
        }
        assertThat(CanonicalEntry.encode(new AuditEvent(Instant.EPOCH, Actor.daemon(), "a", "", Map.of(),
                Outcome.SUCCEEDED, ""))).isEqualTo(reference(new AuditEvent(Instant.EPOCH, Actor.daemon(), "a", "",
                Map.of(), Outcome.SUCCEEDED, "")));
    }

    @Test
    void unknownVersionsAndMalformedEntriesAreRefused() {
        byte[] encoded = CanonicalEntry.encode(new AuditEvent(Instant.EPOCH, Actor.daemon(), "a", "", Map.of(),
                Outcome.FAILED, ""));
        String json = new String(encoded, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> CanonicalEntry.decode(json.replace("\"v\":1", "\"v\":2").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version");
        assertThatThrownBy(() -> CanonicalEntry.decode(json.substring(1).getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
