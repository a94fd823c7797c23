package io.aixcl.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.engine.ContainerSpec;
import io.aixcl.core.engine.FakeContainerEngine;
import io.aixcl.core.stack.HealthCheck;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {
    private final FakeContainerEngine engine = new FakeContainerEngine();
    private final AtomicInteger probes = new AtomicInteger();
    private final AtomicBoolean healthy = new AtomicBoolean(true);
    private final HealthProber live = (id, probe, timeout) -> {
        probes.incrementAndGet();
        return healthy.get() ? HealthProber.ProbeResult.ok("ok") : HealthProber.ProbeResult.failed("down");
    };
    private final HealthMonitor monitor = new HealthMonitor(engine, live);
    private final HealthCheck check = new HealthCheck(new HealthCheck.Tcp("127.0.0.1", 1), Duration.ofMillis(300),
            Duration.ofMillis(100), 2, Duration.ofSeconds(1));

    @AfterEach
    void close() {
        monitor.close();
    }

    private String runningContainer() {
        engine.localImages.add("localhost/x:1");
        String id = engine.createContainer(new ContainerSpec("m-a", "localhost/x:1", List.of(), Map.of(), Map.of(),
                List.of(), List.of(), true, Map.of(), 0, 0, 0, List.of(), false, Optional.empty(), "no", 0, true,
                Optional.empty(), Duration.ofSeconds(1)));
        engine.startContainer(id);
        return id;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }

    @Test
    void aFreshObservationAnswersWithoutProbingTheService() throws Exception {
        String id = runningContainer();
        monitor.watch(id, check);
        waitFor(() -> monitor.observation(id).isPresent());
        int before = probes.get();
        for (int i = 0; i < 20; i++) {
            assertThat(monitor.probe(id, check.probe(), Duration.ofSeconds(1)).healthy()).isTrue();
        }
        assertThat(probes.get() - before).isLessThanOrEqualTo(1); // at most the monitor's own next probe
    }

    @Test
    void aServiceGoingDownIsSeenWithinAboutASecondAndCountsConsecutiveFailures() throws Exception {
        String id = runningContainer();
        monitor.watch(id, check);
        waitFor(() -> monitor.observation(id).isPresent());
        healthy.set(false);
        waitFor(() -> monitor.observation(id).map(o -> o.consecutiveFailures() >= 2).orElse(false));
        assertThat(monitor.probe(id, check.probe(), Duration.ofSeconds(1)).healthy()).isFalse();
    }

    @Test
    void aStoppedContainerIsUnhealthyAndARemovedOneIsNoLongerWatched() throws Exception {
        String id = runningContainer();
        monitor.watch(id, check);
        waitFor(() -> monitor.observation(id).isPresent());
        engine.stopContainer(id, Duration.ofSeconds(1));
        waitFor(() -> monitor.observation(id).map(o -> o.result().detail().equals("not running")).orElse(false));
        engine.removeContainer(id);
        waitFor(() -> monitor.watched() == 0);
    }

    @Test
    void unwatchedContainersAreProbedLive() {
        assertThat(monitor.probe("nobody", check.probe(), Duration.ofSeconds(1)).healthy()).isTrue();
        assertThat(probes.get()).isEqualTo(1);
    }
}
