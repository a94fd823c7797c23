package io.aixcl.core.orchestrate;

import io.aixcl.core.engine.ContainerEngine;
import io.aixcl.core.engine.ContainerState;
import io.aixcl.core.health.HealthProber;
import io.aixcl.core.stack.HealthCheck;
import io.aixcl.core.stack.ServiceSpec;
import java.time.Duration;
import java.util.Optional;

/**
 * Waits for one freshly started service to become healthy. Probes fast at first (a service that is ready in
 * 200 ms should not wait out a 10 s interval) and backs off to the declared interval. Fails early when the
 * container exits, and when the start period plus the allowed retries has passed without success.
 */
final class HealthGate {
    private static final Duration FIRST_DELAY = Duration.ofMillis(20);
    private static final Duration MAX_FAST_DELAY = Duration.ofMillis(500);

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
        long start = System.nanoTime();
        Duration delay = FIRST_DELAY;
        String lastDetail = "no probe yet";
        Duration budget = check.map(c -> c.startPeriod().plus(c.interval().multipliedBy(Math.max(1, c.retries()))))
                .orElse(Duration.ofSeconds(30));
        while (true) {
            cancellation.check();
            Optional<ContainerState> state = engine.inspectContainer(containerId);
            if (state.isEmpty()) {
                return new Outcome.Failed("container disappeared");
            }
            ContainerState s = state.get();
            if (s.status() == ContainerState.Status.EXITED || s.status() == ContainerState.Status.DEAD) {
                return new Outcome.Failed("container exited with code " + s.exitCode()
                        + (s.oomKilled() ? " (killed: out of memory)" : ""));
            }
            if (s.running()) {
                if (check.isEmpty()) {
                    return new Outcome.Healthy();
                }
                HealthCheck c = check.get();
                HealthProber.ProbeResult r = prober.probe(containerId, c.probe(), c.timeout());
                if (r.healthy()) {
                    return new Outcome.Healthy();
                }
                lastDetail = r.detail();
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            if (elapsed.compareTo(budget) > 0) {
                return new Outcome.Failed("not healthy after " + elapsed.toSeconds() + "s ("
                        + check.map(c -> c.probe().describe()).orElse("running") + "): " + lastDetail);
            }
            sleep(delay);
            Duration cap = check.map(HealthCheck::interval).filter(i -> i.compareTo(MAX_FAST_DELAY) < 0)
                    .orElse(MAX_FAST_DELAY);
            delay = delay.multipliedBy(2).compareTo(cap) > 0 ? cap : delay.multipliedBy(2);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.aixcl.core.AixclException.Cancelled("interrupted");
        }
    }
}
