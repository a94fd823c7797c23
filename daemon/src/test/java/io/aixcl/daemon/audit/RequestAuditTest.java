package io.aixcl.daemon.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.audit.AuditEvent;
import io.aixcl.core.audit.AuditLog;
import io.aixcl.core.secrets.Redactor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestAuditTest {
    static final String KEY = "aixk_" + "x7Q".repeat(14) + "P";

    /** Pure logic under test: the entries it would append, kept in a list. */
    private static final class Entries implements AuditLog {
        final List<AuditEvent> events = new ArrayList<>();

        @Override
        public AuditReceipt append(AuditEvent event) {
            events.add(event);
            return new AuditReceipt(events.size() - 1, "00");
        }

        @Override
        public void close() {}
    }

    @Test
    void anApiKeyPastedAsAParameterOrInAPathIsNotRecordedButTheRestIs() {
        Entries log = new Entries();
        Redactor redactor = new Redactor();
        redactor.learn("Zq8-pW_3kLm9aB2cXy7".toCharArray());
        RequestAudit audit = new RequestAudit(log, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC), redactor);

        audit.record(Optional.empty(), Optional.empty(), "keys.revoke", KEY, Map.of("ref", KEY, "name", "app",
                "note", "pw Zq8-pW_3kLm9aB2cXy7", "apiKey", "anything"), Optional.empty());
        audit.refused(Optional.empty(), "POST", "/v1/keys/" + KEY + "/revoke", "scope read is too narrow");

        AuditEvent recorded = log.events.get(0);
        assertThat(recorded.target()).isEqualTo(Redactor.MARK);
        assertThat(recorded.parameters()).containsEntry("ref", Redactor.MARK).containsEntry("name", "app")
                .containsEntry("note", "pw " + Redactor.MARK).containsEntry("apiKey", "[redacted]");
        assertThat(log.events.get(1).target()).isEqualTo("POST /v1/keys/" + Redactor.MARK + "/revoke");
        assertThat(log.events.toString()).doesNotContain(KEY.substring(5));
    }
}
