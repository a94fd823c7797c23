package io.aixcl.engine.llama;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Delays between restarts of a crashing worker: {@code initial}, doubled after each consecutive crash up to
 * {@code max}; a worker that stayed up for {@code healthyAfter} starts the count again, so one crash a day is
 * always retried quickly while a model that kills the worker on every load cannot spin the CPU.
 */
public record Backoff(Duration initial, Duration max, Duration healthyAfter) {

    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(1));

    public Backoff {
        requireNonNull(initial, "initial is null");
        requireNonNull(max, "max is null");
        requireNonNull(healthyAfter, "healthyAfter is null");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max: " + initial + ", " + max);
        }
    }

    /** The delay before restart number {@code consecutiveCrashes} (1 for the first crash in a row). */
    public Duration delay(int consecutiveCrashes) {
        if (consecutiveCrashes < 1) {
            throw new IllegalArgumentException("consecutiveCrashes < 1: " + consecutiveCrashes);
        }
        Duration delay = initial;
        for (int i = 1; i < consecutiveCrashes && delay.compareTo(max) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(max) > 0 ? max : delay;
    }

    /** Whether a worker that ran for {@code uptime} was healthy, so its crash starts a new series. */
    public boolean wasHealthy(Duration uptime) {
        return uptime.compareTo(healthyAfter) >= 0;
    }
}
