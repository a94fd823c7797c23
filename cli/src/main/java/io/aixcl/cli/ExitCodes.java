package io.aixcl.cli;

import io.aixcl.api.ErrorCode;

/** The CLI's exit codes, documented in the README. The only place errors become numbers. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int INVALID_INPUT = 2;
    public static final int NOT_HEALTHY = 3;
    public static final int ENGINE_UNAVAILABLE = 4;
    public static final int IMAGE_UNAVAILABLE = 5;
    public static final int NOT_FOUND = 6;
    public static final int CONFLICT = 7;
    public static final int DAEMON_UNAVAILABLE = 8;
    public static final int UNAUTHORIZED = 9;
    public static final int CANCELLED = 130;

    private ExitCodes() {}

    public static int of(ErrorCode code) {
        return switch (code) {
            case INVALID_INPUT -> INVALID_INPUT;
            case UNAUTHORIZED, UNAUTHENTICATED, THROTTLED -> UNAUTHORIZED;
            case NOT_FOUND -> NOT_FOUND;
            case CONFLICT -> CONFLICT;
            case UNHEALTHY -> NOT_HEALTHY;
            case ENGINE_UNAVAILABLE -> ENGINE_UNAVAILABLE;
            case IMAGE_UNAVAILABLE -> IMAGE_UNAVAILABLE;
            case CANCELLED -> CANCELLED;
            case FAILED -> FAILED;
        };
    }
}
