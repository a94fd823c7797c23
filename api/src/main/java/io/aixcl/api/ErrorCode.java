package io.aixcl.api;

/**
 * Every error the API can answer with. The daemon maps domain failures to these in one place; the CLI maps
 * these to exit codes in one place ({@code ExitCodes}).
 */
public enum ErrorCode {
    INVALID_INPUT(400),
    UNAUTHORIZED(403),
    /** No credentials, or credentials that do not hold (bad, expired or revoked token). */
    UNAUTHENTICATED(401),
    /** Too many failed attempts from this client: wait (Retry-After) and try again. */
    THROTTLED(429),
    NOT_FOUND(404),
    CONFLICT(409),
    UNHEALTHY(424),
    ENGINE_UNAVAILABLE(503),
    IMAGE_UNAVAILABLE(502),
    CANCELLED(499),
    FAILED(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
