package io.aixcl.gateway.inference;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * A refusal or failure as the client sees it, before a protocol renders it. Messages never carry prompt text,
 * because they also go to the audit log.
 *
 * @param param the request field at fault ({@code messages[1].role}), or null
 * @param code a stable machine-readable code ({@code model_not_found}), or null
 */
public record ApiError(ErrorKind kind, String message, String param, String code, Optional<Duration> retryAfter) {

    public ApiError {
        requireNonNull(kind, "kind is null");
        requireNonNull(message, "message is null");
        requireNonNull(retryAfter, "retryAfter is null");
    }

    public static ApiError of(ErrorKind kind, String message) {
        return new ApiError(kind, message, null, null, Optional.empty());
    }

    public static ApiError invalid(String param, String message) {
        return new ApiError(ErrorKind.INVALID_REQUEST, message, param, null, Optional.empty());
    }

    public int status() {
        return kind.status();
    }

    /** Thrown where a request is found wanting; caught once, by the HTTP handler, which renders it. */
    public ApiFailure failure() {
        return new ApiFailure(this);
    }

    /** Carries an {@link ApiError}; without a stack trace, which is never shown and costs time to fill. */
    public static final class ApiFailure extends RuntimeException {
        private final transient ApiError error;

        ApiFailure(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }

        public ApiError error() {
            return error;
        }
    }
}
