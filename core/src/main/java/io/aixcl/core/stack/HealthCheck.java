package io.aixcl.core.stack;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the daemon decides a service is healthy. Probed by the daemon itself, never by the engine's own
 * HEALTHCHECK timers (Podman runs those only under systemd).
 */
public record HealthCheck(Probe probe, Duration interval, Duration timeout, int retries, Duration startPeriod) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(3);
    public static final int DEFAULT_RETRIES = 3;
    public static final Duration DEFAULT_START_PERIOD = Duration.ofSeconds(60);

    public HealthCheck {
        Objects.requireNonNull(probe, "probe is null");
        Objects.requireNonNull(interval, "interval is null");
        Objects.requireNonNull(timeout, "timeout is null");
        Objects.requireNonNull(startPeriod, "startPeriod is null");
    }

    public static HealthCheck of(Probe probe) {
        return new HealthCheck(probe, DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_RETRIES, DEFAULT_START_PERIOD);
    }

    public sealed interface Probe permits Http, Tcp, Command {
        String describe();
    }

    /** Healthy when a GET of {@code url} answers 2xx or 3xx. */
    public record Http(String url) implements Probe {
        public String describe() { return "http " + url; }
    }

    /** Healthy when a TCP connection to host:port succeeds. */
    public record Tcp(String host, int port) implements Probe {
        public String describe() { return "tcp " + host + ":" + port; }
    }

    /** Healthy when {@code argv} run inside the container exits 0. */
    public record Command(List<String> argv) implements Probe {
        public Command {
            argv = List.copyOf(argv);
        }
        public String describe() { return "command " + String.join(" ", argv); }
    }
}
