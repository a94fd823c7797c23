package io.aixcl.daemon.http;

import com.fasterxml.jackson.core.JacksonException;
import io.aixcl.api.ApiError;
import io.aixcl.api.ErrorCode;
import io.aixcl.core.AixclException;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The one place where failures become API errors. Unexpected exceptions are logged, never sent as stack traces. */
public final class ErrorMapping {
    private static final Logger LOG = Logger.getLogger(ErrorMapping.class.getName());

    private ErrorMapping() {}

    public static ApiError toApiError(Throwable t) {
        return switch (t) {
            case AixclException.Unhealthy u -> new ApiError(ErrorCode.UNHEALTHY, u.getMessage(), u.lastLogLines());
            case AixclException.InvalidInput i -> invalid(i);
            case AixclException.NotFound n -> new ApiError(ErrorCode.NOT_FOUND, n.getMessage(), List.of());
            case AixclException.Conflict c -> new ApiError(ErrorCode.CONFLICT, c.getMessage(), List.of());
            case AixclException.EngineUnavailable e -> new ApiError(ErrorCode.ENGINE_UNAVAILABLE, e.getMessage(), List.of());
            case AixclException.ImageUnavailable i -> new ApiError(ErrorCode.IMAGE_UNAVAILABLE, i.getMessage(), List.of());
            case AixclException.Cancelled c -> new ApiError(ErrorCode.CANCELLED, c.getMessage(), List.of());
            case AixclException.Failed f -> new ApiError(ErrorCode.FAILED, f.getMessage(), List.of());
            case JacksonException j -> new ApiError(ErrorCode.INVALID_INPUT, "malformed request body: "
                    + j.getOriginalMessage(), List.of());
            case BadRequest b -> new ApiError(ErrorCode.INVALID_INPUT, b.getMessage(), List.of());
            default -> {
                LOG.log(Level.SEVERE, "unexpected failure", t);
                yield new ApiError(ErrorCode.FAILED, "internal error (" + t.getClass().getSimpleName()
                        + "); see the daemon log", List.of());
            }
        };
    }

    /** With a problem list, the message is its headline and the problems are the details (not both). */
    private static ApiError invalid(AixclException.InvalidInput e) {
        List<String> details = details(e);
        String message = e.getMessage();
        if (!details.isEmpty() && message.contains("\n")) {
            message = message.substring(0, message.indexOf('\n'));
        }
        return new ApiError(ErrorCode.INVALID_INPUT, message, details);
    }

    /** Validation failures that carry a list of problems expose it as details, one problem per line. */
    private static List<String> details(AixclException.InvalidInput e) {
        try {
            var m = e.getClass().getMethod("problems");
            Object v = m.invoke(e);
            if (v instanceof List<?> l) {
                return l.stream().map(String::valueOf).toList();
            }
        } catch (ReflectiveOperationException ignored) {
            // a plain InvalidInput has no problem list
        }
        return List.of();
    }

    /** A request the API cannot take: missing or wrong parameters. */
    public static final class BadRequest extends RuntimeException {
        public BadRequest(String message) {
            super(message);
        }
    }
}
