package io.aixcl.core.health;

import io.aixcl.core.engine.ContainerEngine;
import io.aixcl.core.engine.ContainerState;
import io.aixcl.core.stack.HealthCheck;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Keeps probing the services the daemon started, at their declared interval once healthy and every second while
 * not, so the daemon always knows their health without asking anyone. As a {@link HealthProber} it answers from
 * the latest observation when that is fresh, which keeps {@code status} fast and cheap for the services.
 */
public final class HealthMonitor implements HealthProber, AutoCloseable {
    private static final Duration UNHEALTHY_INTERVAL = Duration.ofSeconds(1);

    private final ContainerEngine engine;
    private final HealthProber live;
    private final LongSupplier nanoClock;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();

    public record Observation(ProbeResult result, long atNanos, int consecutiveFailures) {}

    private final class Watch {
        final String containerId;
        final HealthCheck check;
        volatile Observation last;
        volatile Thread thread;

        Watch(String containerId, HealthCheck check) {
            this.containerId = containerId;
            this.check = check;
        }

        void run() {
            while (!Thread.currentThread().isInterrupted()) {
                Optional<ContainerState> state;
                try {
                    state = engine.inspectContainer(containerId);
                } catch (RuntimeException e) {
                    state = Optional.empty();
                }
                if (state.isEmpty()) {
                    watches.remove(containerId, this);
                    return; // removed: nothing left to watch
                }
                if (state.get().running()) {
                    record(live.probe(containerId, check.probe(), check.timeout()));
                } else {
                    record(ProbeResult.failed("not running"));
                }
                Duration pause = last.result().healthy() ? check.interval() : min(check.interval(), UNHEALTHY_INTERVAL);
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void record(ProbeResult r) {
            Observation previous = last;
            int failures = r.healthy() ? 0 : (previous == null ? 1 : previous.consecutiveFailures() + 1);
            last = new Observation(r, nanoClock.getAsLong(), failures);
        }
    }

    public HealthMonitor(ContainerEngine engine, HealthProber live) {
        this(engine, live, System::nanoTime);
    }

    HealthMonitor(ContainerEngine engine, HealthProber live, LongSupplier nanoClock) {
        this.engine = Objects.requireNonNull(engine, "engine is null");
        this.live = Objects.requireNonNull(live, "live is null");
        this.nanoClock = nanoClock;
    }

    /** Starts watching a container's health (again, if its check changed); a no-op when already watched as is. */
    public void watch(String containerId, HealthCheck check) {
        Watch existing = watches.get(containerId);
        if (existing != null && existing.check.equals(check) && existing.thread.isAlive()) {
            return;
        }
        Watch w = new Watch(containerId, check);
        Watch replaced = watches.put(containerId, w);
        if (replaced != null) {
            replaced.thread.interrupt();
        }
        w.thread = Thread.ofVirtual().name("health-" + containerId.substring(0, Math.min(12, containerId.length())))
                .start(w::run);
    }

    public Optional<Observation> observation(String containerId) {
        return Optional.ofNullable(watches.get(containerId)).map(w -> w.last);
    }

    public int watched() {
        return watches.size();
    }

    /**
     * The latest observation when it is younger than the check's interval plus its timeout (the monitor is keeping
     * up), else a live probe.
     */
    @Override
    public ProbeResult probe(String containerId, HealthCheck.Probe probe, Duration timeout) {
        Watch w = watches.get(containerId);
        Observation o = w == null ? null : w.last;
        if (o != null && w.check.probe().equals(probe)) {
            long age = nanoClock.getAsLong() - o.atNanos();
            if (age <= w.check.interval().plus(w.check.timeout()).toNanos()) {
                return o.result();
            }
        }
        return live.probe(containerId, probe, timeout);
    }

    @Override
    public void close() {
        watches.values().forEach(w -> w.thread.interrupt());
        watches.clear();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
