package io.aixcl.core.engine;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** A container as the engine reports it. */
public record ContainerState(
        String id,
        String name,
        String image,
        Map<String, String> labels,
        Status status,
        int exitCode,
        int restartCount,
        Optional<Instant> startedAt,
        Optional<Instant> finishedAt,
        boolean oomKilled) {

    public ContainerState {
        labels = Map.copyOf(labels);
    }

    public enum Status {
        CREATED, RUNNING, PAUSED, RESTARTING, REMOVING, EXITED, DEAD, UNKNOWN;

        public boolean isUp() {
            return this == RUNNING || this == RESTARTING || this == PAUSED;
        }
    }

    public boolean running() {
        return status == Status.RUNNING;
    }

    public Optional<String> label(String key) {
        return Optional.ofNullable(labels.get(key));
    }
}
