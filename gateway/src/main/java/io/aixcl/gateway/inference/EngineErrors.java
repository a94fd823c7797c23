package io.aixcl.gateway.inference;

import io.aixcl.core.inference.InferenceException;
import java.time.Duration;
import java.util.Optional;

/** The one place engine failures become client errors. */
public final class EngineErrors {

    /** A busy model frees a slot when a generation ends: seconds, so retrying soon is right. */
    static final Duration BUSY_RETRY = Duration.ofSeconds(1);

    private EngineErrors() {
    }

    public static ApiError toApiError(InferenceException failure, String model) {
        return switch (failure) {
            case InferenceException.Busy busy -> new ApiError(ErrorKind.BUSY, busy.getMessage(), null, "model_busy",
                    Optional.of(BUSY_RETRY));
            case InferenceException.ModelNotFound notFound -> modelNotFound(model);
            case InferenceException.InvalidRequest invalid -> ApiError.invalid(null, invalid.getMessage());
            case InferenceException.LoadFailed loadFailed -> new ApiError(ErrorKind.SERVER,
                    "model '" + model + "' cannot be loaded: " + loadFailed.getMessage(), null, "model_load_failed",
                    Optional.empty());
            case InferenceException.EngineUnavailable unavailable -> new ApiError(ErrorKind.UNAVAILABLE,
                    unavailable.getMessage(), null, "engine_unavailable", Optional.of(BUSY_RETRY));
        };
    }

    public static ApiError modelNotFound(String model) {
        return new ApiError(ErrorKind.NOT_FOUND, "the model '" + model + "' does not exist or is not served here",
                "model", "model_not_found", Optional.empty());
    }
}
