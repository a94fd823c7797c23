package io.aixcl.audit;

import io.aixcl.core.audit.AuditEvent;
import io.aixcl.core.audit.AuditEvent.Actor;
import io.aixcl.core.audit.AuditEvent.Outcome;
import java.time.Instant;
import java.util.Map;

/** Realistic audit events for tests and benchmarks: a few hundred bytes of facts each. */
final class Events {

    private Events() {}

    static AuditEvent event(long n) {
        return new AuditEvent(Instant.ofEpochSecond(1_780_000_000L + n, n % 1000 * 1_000_000), Actor.uid(1000 + n % 3),
                n % 2 == 0 ? "stack.service.start" : "sandbox.approval.grant", "dev/open-webui-" + n,
                Map.of("profile", "dev", "request", "req-" + Long.toHexString(n * 0x9E3779B97F4A7C15L),
                        "image", "ghcr.io/open-webui/open-webui:v0.6." + n % 40, "attempt", Long.toString(n % 5)),
                n % 17 == 0 ? Outcome.REFUSED : Outcome.SUCCEEDED, n % 17 == 0 ? "token scope too narrow" : "");
    }
}
