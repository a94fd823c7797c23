package io.aixcl.gateway.inference;

/** The closed set of ways a request fails, each with its HTTP status and OpenAI error type. */
public enum ErrorKind {
    INVALID_REQUEST(400, "invalid_request_error"),
    UNAUTHENTICATED(401, "authentication_error"),
    FORBIDDEN(403, "permission_error"),
    NOT_FOUND(404, "invalid_request_error"),
    METHOD_NOT_ALLOWED(405, "invalid_request_error"),
    TOO_LARGE(413, "invalid_request_error"),
    UNSUPPORTED_MEDIA_TYPE(415, "invalid_request_error"),
    RATE_LIMITED(429, "rate_limit_exceeded"),
    QUOTA_EXHAUSTED(429, "insufficient_quota"),
    SERVER(500, "server_error"),
    BUSY(503, "server_error"),
    UNAVAILABLE(503, "server_error");

    private final int status;
    private final String openAiType;

    ErrorKind(int status, String openAiType) {
        this.status = status;
        this.openAiType = openAiType;
    }

    public int status() {
        return status;
    }

    public String openAiType() {
        return openAiType;
    }
}
