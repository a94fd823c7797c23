package io.aixcl.core;

/**
 * Base of every failure the domain reports to a user. Each subtype is one kind of failure; the daemon maps the
 * kinds to API error codes in exactly one place, and the CLI maps those codes to exit codes in exactly one place.
 */
public abstract sealed class AixclException extends RuntimeException
        permits AixclException.InvalidInput, AixclException.NotFound, AixclException.Conflict,
                AixclException.EngineUnavailable, AixclException.ImageUnavailable, AixclException.Unhealthy,
                AixclException.Cancelled, AixclException.Failed {

    protected AixclException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The user's input (a stack file, a name, a flag) is wrong; nothing was changed. */
    public static non-sealed class InvalidInput extends AixclException {
        public InvalidInput(String message) { super(message, null); }
    }

    public static final class NotFound extends AixclException {
        public NotFound(String message) { super(message, null); }
    }

    /** Something else holds what is needed: a port, the daemon lock, a container name. */
    public static final class Conflict extends AixclException {
        public Conflict(String message) { super(message, null); }
    }

    /** No container engine could be reached; the message says what was tried and how to get one. */
    public static final class EngineUnavailable extends AixclException {
        public EngineUnavailable(String message, Throwable cause) { super(message, cause); }
    }

    public static final class ImageUnavailable extends AixclException {
        private final String image;
        public ImageUnavailable(String image, String message, Throwable cause) {
            super(message, cause);
            this.image = image;
        }
        public String image() { return image; }
    }

    /** A service did not become healthy; carries its last log lines so the user sees why. */
    public static final class Unhealthy extends AixclException {
        private final String service;
        private final java.util.List<String> lastLogLines;
        public Unhealthy(String service, String message, java.util.List<String> lastLogLines) {
            super(message, null);
            this.service = service;
            this.lastLogLines = java.util.List.copyOf(lastLogLines);
        }
        public String service() { return service; }
        public java.util.List<String> lastLogLines() { return lastLogLines; }
    }

    public static final class Cancelled extends AixclException {
        public Cancelled(String message) { super(message, null); }
    }

    public static final class Failed extends AixclException {
        public Failed(String message, Throwable cause) { super(message, cause); }
    }
}
