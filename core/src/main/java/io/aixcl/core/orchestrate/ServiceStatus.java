package io.aixcl.core.orchestrate;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** One service as {@code stack status} shows it. */
public record ServiceStatus(
        String service,
        String role,
        State state,
        Health health,
        String healthDetail,
        Optional<Duration> uptime,
        int restarts,
        Optional<Integer> exitCode,
        List<Integer> ports,
        String image,
        boolean upToDate) {

    public enum State { RUNNING, RESTARTING, PAUSED, CREATED, EXITED, STOPPED, MISSING }

    public enum Health { HEALTHY, UNHEALTHY, STARTING, NONE, UNKNOWN }

    public boolean ok() {
        return state == State.RUNNING && (health == Health.HEALTHY || health == Health.NONE);
    }
}
