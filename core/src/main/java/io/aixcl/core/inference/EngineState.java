package io.aixcl.core.inference;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** An engine's lifecycle, as {@code stack status} shows it. {@code restarts} counts restarts after crashes. */
public sealed interface EngineState {

    int restarts();

    record Starting(int restarts) implements EngineState { }

    record Ready(int restarts, Instant since) implements EngineState {
        public Ready {
            requireNonNull(since, "since is null");
        }
    }

    /** The engine died; it will be restarted at {@code nextAttempt}. */
    record Crashed(int restarts, String lastError, Instant nextAttempt) implements EngineState {
        public Crashed {
            requireNonNull(lastError, "lastError is null");
            requireNonNull(nextAttempt, "nextAttempt is null");
        }
    }

    record Stopped(int restarts) implements EngineState { }

    /** One line for a status table. */
    default String summary() {
        return switch (this) {
            case Starting s -> "starting" + restartNote(s.restarts());
            case Ready r -> "ready" + restartNote(r.restarts());
            case Crashed c -> "crashed" + restartNote(c.restarts()) + ": " + c.lastError();
            case Stopped s -> "stopped";
        };
    }

    private static String restartNote(int restarts) {
        return restarts == 0 ? "" : " (restarted " + restarts + (restarts == 1 ? " time)" : " times)");
    }
}
