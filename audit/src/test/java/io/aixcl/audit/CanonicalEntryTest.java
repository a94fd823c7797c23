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
