package io.aixcl.core.orchestrate;

/** What {@code start} will do to one service, and why. */
public record ServiceAction(String service, int level, Kind kind, String reason, String image, boolean imagePresent) {

    public enum Kind {
        /** No container yet. */
        CREATE,
        /** The container's spec hash differs from the declared one. */
        RECREATE,
        /** The container exists with the declared spec but is not running. */
        START,
        /** Running with the declared spec: left alone. */
        KEEP
    }
}
