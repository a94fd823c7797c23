package io.aixcl.core.keys;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** The answer of {@link KeyAuthority#authorize}: a reservation to settle, or a refusal that says why. */
public sealed interface KeyDecision {

    record Granted(Reservation reservation) implements KeyDecision {
        public Granted {
            Objects.requireNonNull(reservation, "reservation is null");
        }
    }

    /**
     * @param keyId the key's id when the key itself was recognised (for the audit entry), else empty
     * @param retryAfter when a rate limit will let the request through, for a {@code Retry-After} header
     */
    record Refused(Reason reason, String message, Optional<String> keyId, Optional<Duration> retryAfter)
            implements KeyDecision {
        public Refused {
            Objects.requireNonNull(reason, "reason is null");
            Objects.requireNonNull(message, "message is null");
            Objects.requireNonNull(keyId, "keyId is null");
            Objects.requireNonNull(retryAfter, "retryAfter is null");
        }
    }

    /** Why a key was refused; each maps to one HTTP status (see {@link #status}). */
    enum Reason {
        MISSING(401), UNKNOWN(401), EXPIRED(401), REVOKED(401),
        MODEL_NOT_ALLOWED(403),
        RATE_LIMITED(429), TOKEN_RATE_LIMITED(429), BUDGET_EXHAUSTED(429);

        private final int status;

        Reason(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
