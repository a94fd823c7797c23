package io.aixcl.gateway.inference;

import io.aixcl.core.audit.AuditEvent;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.TokenUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one request did, filled in as it goes and turned into exactly one audit event when it ends. Holds facts
 * only: the model, the key's id, token counts, status and timing; never a prompt or a completion.
 * Confined to the request's thread.
 */
public final class RequestRecord {

    public static final String ANONYMOUS = "anonymous";

    private final String action;
    private final long startNanos;
    private String keyId = ANONYMOUS;
    private String target = "";
    private boolean stream;
    private int status = 200;
    private TokenUsage usage = TokenUsage.NONE;
    private FinishReason finishReason;
    private AuditEvent.Outcome outcome = AuditEvent.Outcome.SUCCEEDED;
    private String detail = "";

    public RequestRecord(String action, long startNanos) {
        this.action = action;
        this.startNanos = startNanos;
    }

    public String action() {
        return action;
    }

    public void keyId(String value) {
        keyId = value;
    }

    public void target(String value) {
        target = value;
    }

    public void stream(boolean value) {
        stream = value;
    }

    public void usage(TokenUsage value) {
        usage = value;
    }

    public void finished(FinishReason value) {
        finishReason = value;
    }

    public void failed(ApiError error) {
        status = error.status();
        outcome = switch (error.kind()) {
            case UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED, QUOTA_EXHAUSTED, BUSY -> AuditEvent.Outcome.REFUSED;
            case SERVER, UNAVAILABLE -> AuditEvent.Outcome.FAILED;
            default -> AuditEvent.Outcome.REFUSED;
        };
        detail = error.message();
    }

    /** A failure after the response started (the status sent was already 200). */
    public void failedMidStream(ApiError error) {
        outcome = AuditEvent.Outcome.FAILED;
        detail = error.message();
    }

    /**
     * A stream cut off because its client took nothing for {@code waited} (the status sent was already 200): the
     * generation was cancelled, its tokens so far billed.
     */
    public void clientStalled(Duration waited) {
        finishReason = FinishReason.CANCELLED;
        outcome = AuditEvent.Outcome.FAILED;
        detail = "the client took nothing for " + waited.toMillis()
                + " ms (the gateway's stream write timeout): the generation was cancelled and the connection closed";
    }

    public int status() {
        return status;
    }

    public AuditEvent toEvent(Instant now, long endNanos) {
        Map<String, String> parameters = new HashMap<>(8);
        parameters.put("status", Integer.toString(status));
        parameters.put("stream", Boolean.toString(stream));
        parameters.put("promptTokens", Integer.toString(usage.promptTokens()));
        parameters.put("completionTokens", Integer.toString(usage.completionTokens()));
        parameters.put("latencyMs", Long.toString((endNanos - startNanos) / 1_000_000));
        if (finishReason != null) {
            parameters.put("finishReason", finishReason.name().toLowerCase(Locale.ROOT));
        }
        return new AuditEvent(now, new AuditEvent.Actor(AuditEvent.Actor.Kind.KEY, keyId), action, target,
                parameters, outcome, detail);
    }
}
