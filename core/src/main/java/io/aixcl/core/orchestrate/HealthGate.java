package io.aixcl.core.orchestrate;

import io.aixcl.core.engine.ContainerEngine;
import io.aixcl.core.engine.ContainerState;
import io.aixcl.core.health.HealthProber;
import io.aixcl.core.stack.HealthCheck;
import io.aixcl.core.stack.ServiceSpec;
import java.time.Duration;
import java.util.Optional;

/**
 * Waits for one freshly started service to become healthy, on two schedules:
 * <ul>
 *   <li>an HTTP or TCP probe (a loopback connection, ~1 ms) at once and every 10 ms during the first 2 s, then on
 *       the state's schedule. Every dependent waits for this answer, so the time between "answers" and "seen to
 *       answer" is on the stack's critical path once per level: with doubling delays alone it averaged a quarter
 *       of a service's start time (~40 ms a level on the benchmark graph). An answer needs no look at the
 *       container: only a running service answers (its ports were checked free before the start);</li>
 *   <li>the container's state (an engine round trip) when the first probe does not answer, then at doubling delays
 *       from 20 ms up to min(interval, 500 ms): fails early when the container exits.</li>
 * </ul>
 * A command probe runs through the engine (an exec), so it keeps the state's schedule, after the state says running.
 */
final class HealthGate {
    private static final Duration FIRST_DELAY = Duration.ofMillis(20);
    private static final Duration MAX_FAST_DELAY = Duration.ofMillis(500);
    private static final Duration QUICK_PROBE_DELAY = Duration.ofMillis(10);
    private static final Duration QUICK_PROBE_WINDOW = Duration.ofSeconds(2);

    private final ContainerEngine engine;
    private final HealthProber prober;

    HealthGate(ContainerEngine engine, HealthProber prober) {
        this.engine = engine;
        this.prober = prober;
    }

    sealed interface Outcome {
        record Healthy() implements Outcome {}
        record Failed(String reason) implements Outcome {}
    }

    Outcome await(String containerId, ServiceSpec service, Cancellation cancellation) {
        Optional<HealthCheck> check = service.health();
        boolean quickProbe = check.filter(c -> !(c.probe() instanceof HealthCheck.Command)).isPresent();
        Duration cap = check.map(HealthCheck::interval).filter(i -> i.compareTo(MAX_FAST_DELAY) < 0)
                .orElse(MAX_FAST_DELAY);
        Duration budget = check.map(c -> c.startPeriod().plus(c.interval().multipliedBy(Math.max(1, c.retries()))))
                .orElse(Duration.ofSeconds(30));
        long start = System.nanoTime();
        long nextState = start;
        Duration stateDelay = FIRST_DELAY;
        boolean running = false;
        String lastDetail = "no probe yet";
        while (true) {
            cancellation.check();
            boolean quick = quickProbe && System.nanoTime() - start < QUICK_PROBE_WINDOW.toNanos();
            if (quick) {
                // An answer settles it: a service that answers runs. So the quick probe goes first, and a service
                // that is up when first looked at costs no engine round trip (~5 ms, far more on a loaded machine).
                HealthProber.ProbeResult r = probe(containerId, check.get());
                if (r.healthy()) {
                    return new Outcome.Healthy();
                }
                lastDetail = r.detail();
            }
            boolean stateDue = System.nanoTime() - nextState >= 0;
            if (stateDue) {
                Optional<ContainerState> state = engine.inspectContainer(containerId);
                if (state.isEmpty()) {
                    return new Outcome.Failed("container disappeared");
                }
                ContainerState s = state.get();
                if (s.status() == ContainerState.Status.EXITED || s.status() == ContainerState.Status.DEAD) {
                    return new Outcome.Failed("container exited with code " + s.exitCode()
                            + (s.oomKilled() ? " (killed: out of memory)" : ""));
                }
                running = s.running();
                if (running && check.isEmpty()) {
                    return new Outcome.Healthy();
                }
                nextState = System.nanoTime() + stateDelay.toNanos();
                stateDelay = stateDelay.multipliedBy(2).compareTo(cap) > 0 ? cap : stateDelay.multipliedBy(2);
                if (running && check.isPresent() && !quick) {
                    HealthProber.ProbeResult r = probe(containerId, check.get());
                    if (r.healthy()) {
                        return new Outcome.Healthy();
                    }
                    lastDetail = r.detail();
                }
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            if (elapsed.compareTo(budget) > 0) {
                return new Outcome.Failed("not healthy after " + elapsed.toSeconds() + "s ("
                        + check.map(c -> c.probe().describe()).orElse("running") + "): " + lastDetail);
            }
            long untilState = Math.max(0, nextState - System.nanoTime());
            sleep(quick ? Math.min(untilState, QUICK_PROBE_DELAY.toNanos()) : untilState);
        }
    }

    private HealthProber.ProbeResult probe(String containerId, HealthCheck c) {
        return prober.probe(containerId, c.probe(), c.timeout());
    }

    private static void sleep(long nanos) {
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.aixcl.core.AixclException.Cancelled("interrupted");
        }
    }
}
