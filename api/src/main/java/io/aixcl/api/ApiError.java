package io.aixcl.api;

import java.util.List;

/** The body of every error response, and the last event of a failed stream. */
public record ApiError(ErrorCode code, String message, List<String> details) {
    public ApiError {
        details = details == null ? List.of() : List.copyOf(details);
    }
}
