package io.aixcl.gateway.inference;

import static java.util.Objects.requireNonNull;

import io.aixcl.core.keys.KeyAuthority;
import io.aixcl.core.keys.KeyDecision;
import io.aixcl.core.keys.Reservation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Asks the key authority, and turns a refusal into the client's error. Keys are never logged or recorded. */
public final class Admission {

    private final KeyAuthority keys;

    public Admission(KeyAuthority keys) {
        this.keys = requireNonNull(keys, "keys is null");
    }

    /** The reservation for {@code model}; the record learns the key's id either way. */
    public Reservation admit(String presented, String model, long reserveTokens, RequestRecord record) {
        KeyDecision decision = keys.authorize(presented, model, reserveTokens);
        return switch (decision) {
            case KeyDecision.Granted granted -> {
                record.keyId(granted.reservation().keyId());
                yield granted.reservation();
            }
            case KeyDecision.Refused refused -> {
                refused.keyId().ifPresent(record::keyId);
                throw refusal(refused).failure();
            }
        };
    }

    /**
     * Authenticates the key for a listing: once (a listing is one request against its limits), reserving nothing. A
     * refusal that is not about a model (no key, a bad key, a rate limit) refuses the listing. Asked before the
     * backends are, so a caller without a valid key learns nothing about them, not even that they are down.
     */
    public void authenticate(String presented, RequestRecord record) {
        switch (keys.authorize(presented, "", 0)) {
            case KeyDecision.Granted granted -> {
                record.keyId(granted.reservation().keyId());
                granted.reservation().close();
            }
            case KeyDecision.Refused refused -> {
                refused.keyId().ifPresent(record::keyId);
                if (refused.reason() != KeyDecision.Reason.MODEL_NOT_ALLOWED) {
                    throw refusal(refused).failure();
                }
            }
        }
    }

    /** The models among {@code candidates} an authenticated key's allowlist admits. */
    public List<String> allowed(String presented, List<String> candidates) {
        List<String> visible = new ArrayList<>(candidates.size());
        for (String model : candidates) {
            if (keys.allows(presented, model)) {
                visible.add(model);
            }
        }
        return visible;
    }

    static ApiError refusal(KeyDecision.Refused refused) {
        return switch (refused.reason()) {
            case MISSING -> new ApiError(ErrorKind.UNAUTHENTICATED, refused.message(), null, "missing_api_key",
                    Optional.empty());
            case UNKNOWN, EXPIRED, REVOKED -> new ApiError(ErrorKind.UNAUTHENTICATED, refused.message(), null,
                    "invalid_api_key", Optional.empty());
            case MODEL_NOT_ALLOWED -> new ApiError(ErrorKind.FORBIDDEN, refused.message(), "model",
                    "model_not_allowed", Optional.empty());
            case RATE_LIMITED, TOKEN_RATE_LIMITED -> new ApiError(ErrorKind.RATE_LIMITED, refused.message(), null,
                    "rate_limit_exceeded", refused.retryAfter());
            case BUDGET_EXHAUSTED -> new ApiError(ErrorKind.QUOTA_EXHAUSTED, refused.message(), null,
                    "insufficient_quota", refused.retryAfter());
        };
    }
}
