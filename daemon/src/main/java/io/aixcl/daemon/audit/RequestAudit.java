package io.aixcl.daemon.audit;

import io.aixcl.api.ApiError;
import io.aixcl.api.ErrorCode;
import io.aixcl.core.AixclException;
import io.aixcl.core.audit.AuditEvent;
import io.aixcl.core.audit.AuditLog;
import io.aixcl.core.secrets.Redactor;
import io.aixcl.daemon.access.Peer;
import io.aixcl.daemon.http.ApiServer;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Turns requests into audit entries: who (by kernel credentials), what (the route's action), on what, with which
 * parameters (credentials redacted by name), and how it ended. Facts and metadata only.
 */
public final class RequestAudit implements ApiServer.ActionRecorder, ApiServer.RefusalListener {
    private static final Pattern SENSITIVE = Pattern.compile(
            "(?i).*(password|passwd|secret|token|passphrase|api_?key|private_?key|credential).*");

    private final AuditLog log;
    private final Clock clock;
    private final Redactor redactor;

    public RequestAudit(AuditLog log, Clock clock) {
        this(log, clock, new Redactor());
    }

    /**
     * {@code redactor} also scrubs values: a secret or an API key pasted where a name belongs (a target, a parameter,
     * a refused path) is not recorded either.
     */
    public RequestAudit(AuditLog log, Clock clock, Redactor redactor) {
        this.log = log;
        this.clock = clock;
        this.redactor = redactor;
    }

    @Override
    public void record(Optional<Peer> peer, Optional<String> tokenId, String action, String target,
                       Map<String, String> parameters, Optional<ApiError> failure) {
        AuditEvent.Outcome outcome = failure.map(f -> f.code() == ErrorCode.UNAUTHORIZED
                ? AuditEvent.Outcome.REFUSED : AuditEvent.Outcome.FAILED).orElse(AuditEvent.Outcome.SUCCEEDED);
        AuditEvent.Actor actor = tokenId.map(id -> new AuditEvent.Actor(AuditEvent.Actor.Kind.TOKEN, id))
                .orElseGet(() -> actor(peer));
        Map<String, String> scrubbed = new TreeMap<>();
        redact(parameters).forEach((k, v) -> scrubbed.put(k, redactor.scrub(v)));
        append(new AuditEvent(clock.instant(), actor, action, redactor.scrub(target), scrubbed, outcome,
                failure.map(f -> f.code().name()).orElse("")));
    }

    @Override
    public void refused(Optional<Peer> peer, String method, String path, String reason) {
        append(new AuditEvent(clock.instant(), actor(peer), "access.refused", redactor.scrub(method + " " + path),
                Map.of(), AuditEvent.Outcome.REFUSED, redactor.scrub(reason)));
    }

    /** A fact about the daemon itself (start, stop), recorded under its own name. */
    public void daemon(String action, Map<String, String> parameters) {
        append(new AuditEvent(clock.instant(), AuditEvent.Actor.daemon(), action, "aixcld", parameters,
                AuditEvent.Outcome.SUCCEEDED, ""));
    }

    private void append(AuditEvent event) {
        try {
            log.append(event);
        } catch (RuntimeException e) {
            throw new AixclException.Failed("the audit log cannot record '" + event.action()
                    + "', so it is not acknowledged: " + e.getMessage(), e);
        }
    }

    private static AuditEvent.Actor actor(Optional<Peer> peer) {
        return peer.map(p -> new AuditEvent.Actor(AuditEvent.Actor.Kind.UID, p.user()))
                .orElse(new AuditEvent.Actor(AuditEvent.Actor.Kind.UID, "unknown"));
    }

    static Map<String, String> redact(Map<String, String> parameters) {
        Map<String, String> out = new TreeMap<>();
        parameters.forEach((k, v) -> out.put(k, SENSITIVE.matcher(k).matches() ? "[redacted]"
                : v.length() > 512 ? v.substring(0, 512) + "…" : v));
        return out;
    }
}
