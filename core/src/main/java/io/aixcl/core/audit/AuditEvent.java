package io.aixcl.core.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One fact for the audit log: who did what to what, with which (redacted) parameters, and how it ended. Facts and
 * metadata only: never secret values, prompts or workspace contents.
 */
public record AuditEvent(Instant time, Actor actor, String action, String target, Map<String, String> parameters,
                         Outcome outcome, String detail) {

    public AuditEvent {
        Objects.requireNonNull(time, "time is null");
        Objects.requireNonNull(actor, "actor is null");
        Objects.requireNonNull(action, "action is null");
        target = target == null ? "" : target;
        parameters = java.util.Collections.unmodifiableMap(new TreeMap<>(parameters));
        Objects.requireNonNull(outcome, "outcome is null");
        detail = detail == null ? "" : detail;
    }

    /** Who acted: a local user (by uid), an API token (by id), or the daemon itself. */
    public record Actor(Kind kind, String id) {
        public enum Kind { UID, TOKEN, KEY, DAEMON }

        public static Actor uid(long uid) {
            return new Actor(Kind.UID, Long.toString(uid));
        }

        public static Actor daemon() {
            return new Actor(Kind.DAEMON, "aixcld");
        }

        @Override
        public String toString() {
            return kind.name().toLowerCase() + ":" + id;
        }
    }

    public enum Outcome { SUCCEEDED, FAILED, REFUSED }
}
