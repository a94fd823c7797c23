package io.aixcl.core.inference;

/**
 * Every failure an inference engine reports. The gateway maps each kind to an HTTP status in one place:
 * Busy → 429 (or 503) with Retry-After, ModelNotFound → 404, InvalidRequest → 400, LoadFailed → 500 (the model
 * file is bad), EngineUnavailable → 503.
 *
 * <p>Separate from {@code AixclException} because that hierarchy is sealed over the control plane's kinds; the
 * composition root can wrap or map these where the two meet.
 */
public abstract sealed class InferenceException extends RuntimeException {

    protected InferenceException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The model's concurrency limit and its queue are full; nothing was started. */
    public static final class Busy extends InferenceException {
        private final String modelId;

        public Busy(String modelId, int running, int queued) {
            super("model '" + modelId + "' is busy: " + running + " generation(s) running and " + queued
                    + " queued, the most it takes; retry later", null);
            this.modelId = modelId;
        }

        public String modelId() {
            return modelId;
        }
    }

    public static final class ModelNotFound extends InferenceException {
        public ModelNotFound(String modelId) {
            super("model '" + modelId + "' is not loaded", null);
        }

        /** A name no engine serves, with the names that would work. */
        public ModelNotFound(String modelId, java.util.List<String> available) {
            super("model '" + modelId + "' not found; " + (available.isEmpty()
                    ? "no models are available (add one with: aixcl models add NAME)"
                    : "available: " + String.join(", ", available)), null);
        }
    }

    public static final class LoadFailed extends InferenceException {
        public LoadFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The engine is stopped, crashed or restarting; the message says which and why. */
    public static final class EngineUnavailable extends InferenceException {
        public EngineUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static final class InvalidRequest extends InferenceException {
        public InvalidRequest(String message) {
            super(message, null);
        }
    }
}
