package io.aixcl.core.orchestrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import io.aixcl.core.engine.FakeContainerEngine;
import io.aixcl.core.health.HealthProber;
import io.aixcl.core.plan.Planner;
import io.aixcl.core.plan.StackPlan;
import io.aixcl.core.stack.Dependency;
import io.aixcl.core.stack.HealthCheck;
import io.aixcl.core.stack.Profile;
import io.aixcl.core.stack.Role;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.core.stack.StackDefinition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StackOrchestratorTest {
    private static final String IMAGE = "localhost/test:1";

    private final FakeContainerEngine engine = new FakeContainerEngine();
    private final ScriptedProber prober = new ScriptedProber();
    private final Set<Integer> busyPorts = ConcurrentHashMap.newKeySet();
    private final StackOrchestrator orchestrator =
            new StackOrchestrator(engine, prober, busyPorts::contains, Path.of("/run/secrets-test"));
    private final List<StackEvent> events = new CopyOnWriteArrayList<>();

    StackOrchestratorTest() {
        engine.localImages.add(IMAGE);
        prober.log = engine.calls;
    }

    /** Healthy after a service's container has been probed {@code n} times; names in {@code never} never are. */
    static final class ScriptedProber implements HealthProber {
        final Map<String, Integer> probesUntilHealthy = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> probes = new ConcurrentHashMap<>();
        final Map<String, Duration> hang = new ConcurrentHashMap<>();
        /** A service answers only once this holds (waited for up to 10 s): orders events without racing the clock. */
        final Map<String, java.util.function.BooleanSupplier> healthyOnlyAfter = new ConcurrentHashMap<>();
        final List<String> healthyOrder = new CopyOnWriteArrayList<>();
        /** Where "healthy SERVICE" is noted when a service first answers, beside the engine's calls. */
        volatile List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public ProbeResult probe(String containerId, HealthCheck.Probe probe, Duration timeout) {
            String service = ((HealthCheck.Tcp) probe).host();
            Duration h = hang.get(service);
            if (h != null) {
                try {
                    Thread.sleep(Math.min(h.toMillis(), timeout.toMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return ProbeResult.failed("timed out");
            }
            java.util.function.BooleanSupplier gate = healthyOnlyAfter.get(service);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (gate != null && !gate.getAsBoolean() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                Thread.yield();
            }
            int n = probes.computeIfAbsent(service, k -> new AtomicInteger()).incrementAndGet();
            if (n >= probesUntilHealthy.getOrDefault(service, 1)) {
                synchronized (healthyOrder) {
                    if (!healthyOrder.contains(service)) {
                        healthyOrder.add(service);
                        log.add("healthy " + service);
                    }
                }
                return ProbeResult.ok("ok");
            }
            return ProbeResult.failed("not yet");
        }
    }

    private static ServiceSpec service(String name, Role role, String... deps) {
        // The tcp probe's host carries the service name, so the scripted prober knows who is probed.
        HealthCheck check = new HealthCheck(new HealthCheck.Tcp(name, 1), Duration.ofMillis(50),
                Duration.ofMillis(200), 2, Duration.ofMillis(400));
        List<Dependency> d = new ArrayList<>();
        for (String dep : deps) {
            d.add(new Dependency(ServiceName.of(dep), Dependency.Condition.HEALTHY));
        }
        return ServiceSpec.minimal(name, role, IMAGE).withHealth(check).withDependsOn(d);
    }

    private static StackDefinition stack(ServiceSpec... services) {
        Map<ServiceName, ServiceSpec> map = new java.util.LinkedHashMap<>();
        for (ServiceSpec s : services) {
            map.put(s.name(), s);
        }
        return new StackDefinition("t", map, Map.of("all", new Profile("all", "", List.copyOf(map.keySet()))), "all");
    }

    private final StackDefinition threeLevels = stack(service("engine", Role.RUNTIME_CORE),
            service("db", Role.OPERATIONAL), service("app", Role.OPERATIONAL, "db"),
            service("ui", Role.OPERATIONAL, "app", "engine"));

    private StackPlan plan(StackDefinition d) {
        return new Planner().plan(d, "all");
    }

    private void start(StackDefinition d) {
        orchestrator.start(plan(d), d.services().keySet(), false, events::add, new Cancellation());
    }

    @Test
    void dependentStartsOnlyAfterDependencyIsHealthy() {
        prober.probesUntilHealthy.put("db", 4);
        start(threeLevels);
        assertThat(engine.calls.indexOf("start t-app")).isGreaterThan(engine.calls.indexOf("healthy db"));
        assertThat(engine.calls.indexOf("start t-ui")).isGreaterThan(engine.calls.indexOf("healthy app"))
                .isGreaterThan(engine.calls.indexOf("healthy engine"));
        assertThat(prober.healthyOrder.indexOf("db")).isLessThan(prober.healthyOrder.indexOf("app"));
        assertThat(prober.healthyOrder.indexOf("app")).isLessThan(prober.healthyOrder.indexOf("ui"));
        assertThat(prober.probes.get("db").get()).isEqualTo(4);
    }

    @Test
    void newContainersAreCreatedAheadWithoutWaitingForHealthInDependencyOrder() {
        // db answers only once every container exists: an orchestrator that waited for it would create ui 10 s late.
        prober.healthyOnlyAfter.put("db", () -> engine.calls.contains("create t-ui"));
        start(threeLevels);
        int dbHealthy = engine.calls.indexOf("healthy db");
        assertThat(engine.calls.indexOf("create t-app")).isLessThan(dbHealthy)
                .isGreaterThan(engine.calls.indexOf("create t-db"));
        assertThat(engine.calls.indexOf("create t-ui")).isLessThan(dbHealthy)
                .isGreaterThan(engine.calls.indexOf("create t-app"))
                .isGreaterThan(engine.calls.indexOf("create t-engine"));
        assertThat(events).filteredOn(e -> e instanceof StackEvent.Step st && st.service().equals("app"))
                .extracting(e -> ((StackEvent.Step) e).step()).containsExactly("creating", "starting");
    }

    @Test
    void secondStartChangesNothing() {
        start(threeLevels);
        engine.calls.clear();
        StartPreview preview = orchestrator.preview(plan(threeLevels), threeLevels.services().keySet());
        assertThat(preview.changesNothing()).isTrue();
        start(threeLevels);
        assertThat(engine.calls).noneMatch(c -> c.startsWith("create") || c.startsWith("start")
                || c.startsWith("stop") || c.startsWith("remove"));
    }

    @Test
    void changedSpecRecreatesExactlyThatService() {
        start(threeLevels);
        engine.calls.clear();
        ServiceSpec app = threeLevels.services().get(ServiceName.of("app"));
        StackDefinition changed = stack(threeLevels.services().get(ServiceName.of("engine")),
                threeLevels.services().get(ServiceName.of("db")), app.withEnvironment(Map.of("NEW", "1")),
                threeLevels.services().get(ServiceName.of("ui")));
        start(changed);
        assertThat(engine.calls).containsExactly("stop t-app", "remove t-app", "create t-app", "start t-app");
    }

    @Test
    void failingHealthStopsStartNamesServiceAndKeepsHealthyServicesUp() {
        prober.probesUntilHealthy.put("app", Integer.MAX_VALUE);
        start(threeLevels(), e -> assertThat(e).isInstanceOf(AixclException.Unhealthy.class)
                .hasMessageContaining("'app'"));
        assertThat(engine.inspectContainer("t-db")).get().matches(c -> c.running());
        assertThat(engine.inspectContainer("t-engine")).get().matches(c -> c.running());
        assertThat(engine.inspectContainer("t-ui")).isEmpty();
        assertThat(events).anyMatch(e -> e instanceof StackEvent.Unhealthy u && u.service().equals("app"));
    }

    @Test
    void aContainerCreatedAheadWhoseTurnNeverCameIsRemovedAndTheNextStartBringsItUp() {
        prober.probesUntilHealthy.put("app", Integer.MAX_VALUE);
        start(threeLevels(), e -> assertThat(e).isInstanceOf(AixclException.Unhealthy.class));
        assertThat(engine.calls).containsSubsequence("create t-ui", "remove t-ui").doesNotContain("start t-ui");
        assertThat(events).anyMatch(e -> e instanceof StackEvent.Step st && st.service().equals("ui")
                && st.step().equals("skipped"));
        assertThat(orchestrator.status(plan(threeLevels), Duration.ofSeconds(1)))
                .filteredOn(st -> st.service().equals("ui")).extracting(ServiceStatus::state)
                .containsExactly(ServiceStatus.State.MISSING);

        prober.probesUntilHealthy.put("app", 1);
        prober.probes.clear();
        engine.calls.clear();
        start(threeLevels);
        assertThat(engine.calls).contains("create t-ui", "start t-ui").doesNotContain("create t-db", "stop t-db");
        assertThat(orchestrator.status(plan(threeLevels), Duration.ofSeconds(1)))
                .extracting(ServiceStatus::state).containsOnly(ServiceStatus.State.RUNNING);
    }

    @Test
    void aServiceWhoseCreateFailsStopsTheStartAndLeavesNoContainerCreatedAhead() {
        engine.failCreate.add("t-app");
        assertThatThrownBy(() -> start(threeLevels)).isInstanceOf(AixclException.class)
                .hasMessageContaining("t-app");
        assertThat(engine.inspectContainer("t-app")).isEmpty();
        assertThat(engine.inspectContainer("t-ui")).isEmpty();
        assertThat(engine.listContainers(Map.of())).allMatch(c -> c.running());
    }

    private StackDefinition threeLevels() {
        return threeLevels;
    }

    private void start(StackDefinition d, java.util.function.Consumer<Throwable> onFailure) {
        try {
            start(d);
            throw new AssertionError("start should have failed");
        } catch (AixclException e) {
            onFailure.accept(e);
        }
    }

    @Test
    void oneFailedServiceDoesNotCancelTheCallersOperation() {
        prober.probesUntilHealthy.put("app", Integer.MAX_VALUE);
        Cancellation caller = new Cancellation();
        assertThatThrownBy(() -> orchestrator.start(plan(threeLevels), threeLevels.services().keySet(), false,
                events::add, caller)).isInstanceOf(AixclException.Unhealthy.class);
        assertThat(caller.cancelled()).as("the caller must still be able to report the failure").isFalse();
    }

    @Test
    void unhealthyServiceReportsItsLastLogLines() {
        prober.probesUntilHealthy.put("db", Integer.MAX_VALUE);
        StackDefinition d = stack(service("engine", Role.RUNTIME_CORE), service("db", Role.OPERATIONAL));
        // The fake records logs per container; create it first so the log line exists before the probe gives up.
        engine.localImages.add(IMAGE);
        Thread logger = Thread.ofVirtual().start(() -> {
            while (engine.inspectContainer("t-db").isEmpty()) {
                Thread.onSpinWait();
            }
            engine.log("t-db", "FATAL: data directory has wrong ownership");
        });
        assertThatThrownBy(() -> start(d)).isInstanceOfSatisfying(AixclException.Unhealthy.class,
                e -> assertThat(e.lastLogLines()).contains("FATAL: data directory has wrong ownership"));
        logger.interrupt();
    }

    @Test
    void portHeldByAnotherProcessIsReportedAndNothingStarts() {
        ServiceSpec db = service("db", Role.OPERATIONAL).withPorts(List.of(5432));
        StackDefinition d = stack(service("engine", Role.RUNTIME_CORE), db);
        busyPorts.add(5432);
        assertThatThrownBy(() -> start(d)).isInstanceOf(AixclException.Conflict.class)
                .hasMessageContaining("port 5432 of service 'db'");
        assertThat(engine.calls).noneMatch(c -> c.startsWith("create"));
    }

    @Test
    void portsHeldByThisStacksOwnContainersAreNotAConflict() {
        ServiceSpec db = service("db", Role.OPERATIONAL).withPorts(List.of(5432));
        StackDefinition d = stack(service("engine", Role.RUNTIME_CORE), db);
        start(d);
        busyPorts.add(5432); // now held by our own running db
        assertThat(orchestrator.preview(plan(d), d.services().keySet()).portConflicts()).isEmpty();
    }

    @Test
    void containersOfServicesNoLongerDeclaredAreReportedAndRemovedOnlyWhenAsked() {
        start(threeLevels);
        StackDefinition smaller = stack(service("engine", Role.RUNTIME_CORE), service("db", Role.OPERATIONAL));
        StartPreview p = orchestrator.start(plan(smaller), smaller.services().keySet(), false, events::add,
                new Cancellation());
        assertThat(p.orphans()).containsExactlyInAnyOrder("t-app", "t-ui");
        assertThat(engine.inspectContainer("t-app")).isPresent();
        orchestrator.start(plan(smaller), smaller.services().keySet(), true, events::add, new Cancellation());
        assertThat(engine.inspectContainer("t-app")).isEmpty();
        assertThat(engine.inspectContainer("t-ui")).isEmpty();
    }

    @Test
    void missingImageIsPulledAndAnUnpullableOneFailsWithItsName() {
        ServiceSpec db = ServiceSpec.minimal("db", Role.OPERATIONAL, "localhost/pullable:2");
        engine.pullableImages.add("localhost/pullable:2");
        StackDefinition d = stack(service("engine", Role.RUNTIME_CORE), db);
        start(d);
        assertThat(engine.calls).contains("pull localhost/pullable:2");
        assertThat(events).anyMatch(e -> e instanceof StackEvent.Pulling);

        StackDefinition bad = stack(service("engine", Role.RUNTIME_CORE),
                ServiceSpec.minimal("db", Role.OPERATIONAL, "localhost/nowhere:3"));
        assertThatThrownBy(() -> start(bad)).isInstanceOf(AixclException.ImageUnavailable.class)
                .hasMessageContaining("localhost/nowhere:3");
    }

    @Test
    void stopGoesInReverseDependencyOrder() {
        start(threeLevels);
        engine.calls.clear();
        orchestrator.stop(plan(threeLevels), events::add);
        List<String> stops = engine.calls.stream().filter(c -> c.startsWith("stop")).toList();
        assertThat(stops.indexOf("stop t-ui")).isLessThan(stops.indexOf("stop t-app"));
        assertThat(stops.indexOf("stop t-app")).isLessThan(stops.indexOf("stop t-db"));
        assertThat(stops).hasSize(4);
    }

    @Test
    void crashedServiceShowsItsExitCode() {
        start(threeLevels);
        engine.crash("t-app", 137);
        ServiceStatus app = orchestrator.status(plan(threeLevels), Duration.ofSeconds(1)).stream()
                .filter(s -> s.service().equals("app")).findFirst().orElseThrow();
        assertThat(app.state()).isEqualTo(ServiceStatus.State.EXITED);
        assertThat(app.exitCode()).contains(137);
        assertThat(app.ok()).isFalse();
    }

    @Test
    void statusStaysFastWithAHungService() {
        start(threeLevels);
        prober.hang.put("db", Duration.ofSeconds(30));
        long t0 = System.nanoTime();
        List<ServiceStatus> status = orchestrator.status(plan(threeLevels), Duration.ofMillis(300));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isLessThan(1500);
        assertThat(status).hasSize(4);
        assertThat(status).filteredOn(s -> s.service().equals("db")).first()
                .extracting(ServiceStatus::health).isEqualTo(ServiceStatus.Health.UNHEALTHY);
        assertThat(status).filteredOn(s -> s.service().equals("app")).first()
                .extracting(ServiceStatus::health).isEqualTo(ServiceStatus.Health.HEALTHY);
    }

    @Test
    void cancellationStopsWaitingForHealth() {
        prober.probesUntilHealthy.put("db", Integer.MAX_VALUE);
        Cancellation c = new Cancellation();
        Thread.ofVirtual().start(() -> {
            // Cancelled while db's health is awaited and the rest was created ahead.
            while (!engine.calls.contains("create t-ui") || prober.probes.getOrDefault("db", new AtomicInteger())
                    .get() < 2) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
            c.cancel("client went away");
        });
        assertThatThrownBy(() -> orchestrator.start(plan(threeLevels), threeLevels.services().keySet(), false,
                events::add, c)).isInstanceOf(AixclException.class);
        assertThat(engine.inspectContainer("t-app")).isEmpty();
        assertThat(engine.inspectContainer("t-db")).get().matches(co -> co.running(), "db is left running");
        assertThat(engine.calls).as("created ahead, then removed").contains("create t-app", "remove t-app");
        assertThat(engine.listContainers(Map.of())).as("nothing is left created but not started")
                .allMatch(co -> co.running());
    }
}
