package io.aixcl.core.orchestrate;

import io.aixcl.core.AixclException;
import io.aixcl.core.engine.ContainerEngine;
import io.aixcl.core.engine.ContainerSpec;
import io.aixcl.core.engine.ContainerState;
import io.aixcl.core.engine.LogLine;
import io.aixcl.core.engine.VolumeInfo;
import io.aixcl.core.health.HealthProber;
import io.aixcl.core.plan.ContainerSpecs;
import io.aixcl.core.plan.Labels;
import io.aixcl.core.plan.StackPlan;
import io.aixcl.core.stack.Dependency;
import io.aixcl.core.stack.HealthCheck;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.ServiceSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Brings a stack plan to life on a container engine, and reports on it. Idempotent: a running service whose
 * spec is unchanged is left alone; a changed one is recreated; nothing else is touched.
 */
public final class StackOrchestrator {
    private static final int LOG_LINES_ON_FAILURE = 20;

    private final ContainerEngine engine;
    private final HealthProber prober;
    private final PortProbe ports;
    private final Path secretsDir;
    private final HealthGate gate;

    public StackOrchestrator(ContainerEngine engine, HealthProber prober, PortProbe ports, Path secretsDir) {
        this.engine = Objects.requireNonNull(engine, "engine is null");
        this.prober = Objects.requireNonNull(prober, "prober is null");
        this.ports = Objects.requireNonNull(ports, "ports is null");
        this.secretsDir = Objects.requireNonNull(secretsDir, "secretsDir is null");
        this.gate = new HealthGate(engine, prober);
    }

    public ContainerSpec containerSpec(StackPlan plan, ServiceSpec service) {
        return ContainerSpecs.of(plan.stack(), service, secretsDir);
    }

    /** What {@link #start} would do; changes nothing. {@code declared} is every service the stack declares. */
    public StartPreview preview(StackPlan plan, Set<ServiceName> declared) {
        Map<String, ContainerState> existing = containersByService(plan.stack());
        List<ServiceAction> actions = new ArrayList<>();
        Set<String> pulls = new LinkedHashSet<>();
        Map<String, Boolean> imagePresent = new HashMap<>();
        for (ServiceSpec s : plan.services()) {
            ContainerSpec spec = containerSpec(plan, s);
            boolean present = imagePresent.computeIfAbsent(spec.image(), engine::imageExists);
            ContainerState c = existing.get(s.name().value());
            ServiceAction.Kind kind;
            String reason;
            if (c == null) {
                kind = ServiceAction.Kind.CREATE;
                reason = "no container";
            } else if (!spec.labels().get(Labels.SPEC_HASH).equals(c.labels().get(Labels.SPEC_HASH))) {
                kind = ServiceAction.Kind.RECREATE;
                reason = "spec changed";
            } else if (!c.running()) {
                kind = ServiceAction.Kind.START;
                reason = "container " + c.status().name().toLowerCase();
            } else {
                kind = ServiceAction.Kind.KEEP;
                reason = "running, unchanged";
            }
            if (kind != ServiceAction.Kind.KEEP && kind != ServiceAction.Kind.START && !present) {
                pulls.add(spec.image());
            }
            actions.add(new ServiceAction(s.name().value(), plan.levelOf(s.name()), kind, reason, spec.image(), present));
        }
        Set<String> existingVolumes = new LinkedHashSet<>();
        engine.listVolumes(Map.of(Labels.STACK, plan.stack())).forEach(v -> existingVolumes.add(v.name()));
        List<String> volumes = plan.services().stream()
                .flatMap(s -> containerSpec(plan, s).mounts().stream())
                .filter(m -> m instanceof ContainerSpec.VolumeMount)
                .map(m -> ((ContainerSpec.VolumeMount) m).volume())
                .distinct().filter(v -> !existingVolumes.contains(v)).toList();
        List<StartPreview.PortConflict> conflicts = new ArrayList<>();
        for (ServiceSpec s : plan.services()) {
            ContainerState c = existing.get(s.name().value());
            if (c != null && c.status().isUp()) {
                continue; // its ports are held by this stack's own container, not a conflict
            }
            for (int port : s.ports()) {
                if (ports.inUse(port)) {
                    conflicts.add(new StartPreview.PortConflict(s.name().value(), port));
                }
            }
        }
        Set<String> declaredNames = new LinkedHashSet<>();
        declared.forEach(n -> declaredNames.add(n.value()));
        List<String> orphans = existing.entrySet().stream().filter(e -> !declaredNames.contains(e.getKey()))
                .map(e -> e.getValue().name()).sorted().toList();
        List<List<String>> levels = plan.levels().stream()
                .map(l -> l.stream().map(s -> s.name().value()).toList()).toList();
        return new StartPreview(plan.stack(), plan.profile(), levels,
                plan.addedAsDependencies().stream().map(ServiceName::value).toList(), actions, List.copyOf(pulls),
                volumes, conflicts, orphans);
    }

    /**
     * Validates the environment (ports), pulls missing images in parallel, creates volumes, creates every new
     * container at once (creating runs nothing; dependencies' containers first), then starts each service as soon
     * as its dependencies reach their condition: per level, the critical path is start + healthy, not
     * create + start + healthy. On the first service that fails, nothing further starts, services already healthy
     * stay up, and containers created ahead whose start never came are removed.
     */
    public StartPreview start(StackPlan plan, Set<ServiceName> declared, boolean removeOrphans,
                              Consumer<StackEvent> events, Cancellation caller) {
        Cancellation cancellation = caller.child();
        StartPreview preview = preview(plan, declared);
        events.accept(new StackEvent.Planned(preview.actions(), preview.orphans()));
        if (!preview.portConflicts().isEmpty()) {
            throw new AixclException.Conflict("cannot start: " + String.join("; ",
                    preview.portConflicts().stream().map(Object::toString).toList())
                    + ". Stop the other process or change the service's port in your stack file.");
        }
        pullImages(preview.imagesToPull(), events, cancellation);
        for (String volume : preview.volumesToCreate()) {
            engine.ensureVolume(volume, Map.of(Labels.STACK, plan.stack(), Labels.MANAGED_BY, "aixcl"));
        }
        handleOrphans(plan.stack(), preview.orphans(), removeOrphans, events);
        Map<String, ServiceAction> actionOf = new HashMap<>();
        preview.actions().forEach(a -> actionOf.put(a.service(), a));

        // Three milestones per service. Creating runs nothing, so it waits only for the dependencies' own
        // creation (the engine then works on the first levels first); starting waits for their condition.
        Map<ServiceName, CompletableFuture<Void>> created = new ConcurrentHashMap<>();
        Map<ServiceName, CompletableFuture<Void>> done = new ConcurrentHashMap<>();
        Map<ServiceName, CompletableFuture<Void>> started = new ConcurrentHashMap<>();
        plan.services().forEach(s -> {
            created.put(s.name(), new CompletableFuture<>());
            done.put(s.name(), new CompletableFuture<>());
            started.put(s.name(), new CompletableFuture<>());
        });
        List<AixclException> failures = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (ServiceSpec s : plan.services()) {
                pool.submit(() -> {
                    ServiceAction action = actionOf.get(s.name().value());
                    String ahead = null;
                    try {
                        if (action.kind() == ServiceAction.Kind.CREATE) {
                            awaitDependencies(s, d -> created.get(d.service()));
                            cancellation.check();
                            ahead = createAhead(plan, s, events);
                        }
                        created.get(s.name()).complete(null);
                        awaitDependencies(s, d -> (d.condition() == Dependency.Condition.HEALTHY ? done : started)
                                .get(d.service()));
                        cancellation.check();
                        String toStart = ahead;
                        ahead = null; // once its start is attempted, a failure leaves the container to inspect
                        startOne(plan, s, action, toStart, events, cancellation, started.get(s.name()));
                        done.get(s.name()).complete(null);
                    } catch (Throwable t) {
                        AixclException e = t instanceof java.util.concurrent.CompletionException ce
                                && ce.getCause() instanceof AixclException ae ? ae
                                : t instanceof AixclException ae2 ? ae2
                                : new AixclException.Failed(s.name() + ": " + t.getMessage(), t);
                        if (!(t instanceof java.util.concurrent.CompletionException)) {
                            synchronized (failures) {
                                failures.add(e);
                            }
                        } else {
                            events.accept(new StackEvent.Step(s.name().value(), "skipped",
                                    "a dependency did not start"));
                        }
                        if (ahead != null) {
                            removeUnstarted(s.name().value(), ahead, events);
                        }
                        created.get(s.name()).completeExceptionally(e);
                        started.get(s.name()).completeExceptionally(e);
                        done.get(s.name()).completeExceptionally(e);
                        // One failure stops the start: nothing that has not begun yet will begin.
                        cancellation.cancel("service " + s.name() + " failed");
                    }
                });
            }
        }
        if (!failures.isEmpty()) {
            failures.sort(Comparator.comparing(e -> e instanceof AixclException.Cancelled ? 1 : 0));
            throw failures.getFirst();
        }
        caller.check();
        return preview;
    }

    /** Waits for each dependency's milestone ({@code null}: not in this plan); throws when one failed. */
    private static void awaitDependencies(ServiceSpec s, Function<Dependency, CompletableFuture<Void>> milestone) {
        for (Dependency d : s.dependsOn()) {
            CompletableFuture<Void> f = milestone.apply(d);
            if (f != null) {
                f.join();
            }
        }
    }

    private String createAhead(StackPlan plan, ServiceSpec s, Consumer<StackEvent> events) {
        events.accept(new StackEvent.Step(s.name().value(), "creating", ""));
        return engine.createContainer(containerSpec(plan, s));
    }

    /**
     * A container created ahead for a service that is not going to start (a dependency failed, or the start was
     * cancelled) is removed, so the stack is left as if its turn had never come: status shows it missing, and the
     * next start creates it again. Should the engine refuse, the container stays created, which the next start
     * starts and {@code down} removes, and the user is told.
     */
    private void removeUnstarted(String service, String id, Consumer<StackEvent> events) {
        try {
            engine.removeContainer(id);
        } catch (AixclException e) {
            events.accept(new StackEvent.Step(service, "left created", "could not remove the container created"
                    + " ahead of its start: " + e.getMessage()));
        }
    }

    private void startOne(StackPlan plan, ServiceSpec s, ServiceAction action, String createdAhead,
                          Consumer<StackEvent> events, Cancellation cancellation, CompletableFuture<Void> started) {
        String name = s.name().value();
        ContainerSpec spec = containerSpec(plan, s);
        long t0 = System.nanoTime();
        String id = switch (action.kind()) {
            case KEEP -> {
                events.accept(new StackEvent.Step(name, "unchanged", "running, unchanged"));
                yield engine.inspectContainer(spec.name()).orElseThrow().id();
            }
            case START -> {
                events.accept(new StackEvent.Step(name, "starting", ""));
                String existing = engine.inspectContainer(spec.name()).orElseThrow().id();
                engine.startContainer(existing);
                yield existing;
            }
            case RECREATE -> {
                // Not ahead of time: the old container keeps running until this service's turn comes.
                events.accept(new StackEvent.Step(name, "recreating", action.reason()));
                engine.inspectContainer(spec.name()).ifPresent(old -> {
                    engine.stopContainer(old.id(), s.stopTimeout());
                    engine.removeContainer(old.id());
                });
                String recreated = engine.createContainer(spec);
                engine.startContainer(recreated);
                yield recreated;
            }
            case CREATE -> {
                events.accept(new StackEvent.Step(name, "starting", ""));
                engine.startContainer(createdAhead);
                yield createdAhead;
            }
        };
        started.complete(null);
        HealthGate.Outcome outcome = gate.await(id, s, cancellation);
        if (outcome instanceof HealthGate.Outcome.Failed f) {
            List<String> lines = lastLogLines(id, LOG_LINES_ON_FAILURE);
            events.accept(new StackEvent.Unhealthy(name, f.reason(), lines));
            throw new AixclException.Unhealthy(name, "service '" + name + "' did not become healthy: " + f.reason(),
                    lines);
        }
        events.accept(new StackEvent.Healthy(name, Duration.ofNanos(System.nanoTime() - t0)));
    }

    private void pullImages(List<String> images, Consumer<StackEvent> events, Cancellation cancellation) {
        if (images.isEmpty()) {
            return;
        }
        Map<String, Future<?>> pulls = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String image : images) {
                pulls.put(image, pool.submit(() -> {
                    long t0 = System.nanoTime();
                    engine.pullImage(image, p -> events.accept(new StackEvent.Pulling(p)));
                    events.accept(new StackEvent.Pulled(image, Duration.ofNanos(System.nanoTime() - t0)));
                    return null;
                }));
            }
            for (var e : pulls.entrySet()) {
                try {
                    e.getValue().get();
                } catch (ExecutionException ex) {
                    errors.add(ex.getCause().getMessage());
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new AixclException.Cancelled("interrupted while pulling");
                }
            }
        }
        cancellation.check();
        if (!errors.isEmpty()) {
            throw new AixclException.ImageUnavailable(images.getFirst(), "cannot get image(s): "
                    + String.join("; ", errors)
                    + ". Check the image name and your registry access, or load the image with 'podman load'.", null);
        }
    }

    private void handleOrphans(String stack, List<String> orphans, boolean remove, Consumer<StackEvent> events) {
        for (ContainerState c : engine.listContainers(Map.of(Labels.STACK, stack))) {
            if (!orphans.contains(c.name())) {
                continue;
            }
            if (remove) {
                engine.stopContainer(c.id(), Duration.ofSeconds(10));
                engine.removeContainer(c.id());
            }
            events.accept(new StackEvent.Orphan(c.name(), c.labels().getOrDefault(Labels.SERVICE, "?"), remove));
        }
    }

    /** Stops the given services (all of the stack's containers when empty) in reverse dependency order. */
    public List<String> stop(StackPlan plan, Consumer<StackEvent> events) {
        Map<String, ContainerState> existing = containersByService(plan.stack());
        List<String> stopped = new ArrayList<>();
        // Services not in the plan (another profile, orphans) go first: nothing in the plan depends on them.
        List<List<String>> order = new ArrayList<>();
        Set<String> inPlan = new LinkedHashSet<>();
        plan.services().forEach(s -> inPlan.add(s.name().value()));
        order.add(existing.keySet().stream().filter(n -> !inPlan.contains(n)).sorted().toList());
        for (int i = plan.levels().size() - 1; i >= 0; i--) {
            order.add(plan.levels().get(i).stream().map(s -> s.name().value()).toList());
        }
        for (List<String> level : order) {
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> futures = new ArrayList<>();
                for (String service : level) {
                    ContainerState c = existing.get(service);
                    if (c == null || !c.status().isUp()) {
                        continue;
                    }
                    Duration timeout = plan.service(ServiceName.of(service)).map(ServiceSpec::stopTimeout)
                            .orElse(ServiceSpec.DEFAULT_STOP_TIMEOUT);
                    futures.add(pool.submit(() -> {
                        events.accept(new StackEvent.Step(service, "stopping", ""));
                        engine.stopContainer(c.id(), timeout);
                        events.accept(new StackEvent.Step(service, "stopped", ""));
                        synchronized (stopped) {
                            stopped.add(service);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        throw e.getCause() instanceof AixclException ae ? ae
                                : new AixclException.Failed(e.getCause().getMessage(), e.getCause());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AixclException.Cancelled("interrupted while stopping");
                    }
                }
            }
        }
        return stopped;
    }

    /** Stops and removes every container of the stack; with {@code volumes}, its volumes too. */
    public void down(StackPlan plan, boolean volumes, Consumer<StackEvent> events) {
        stop(plan, events);
        for (ContainerState c : engine.listContainers(Map.of(Labels.STACK, plan.stack()))) {
            engine.removeContainer(c.id());
            events.accept(new StackEvent.Step(c.labels().getOrDefault(Labels.SERVICE, c.name()), "removed", ""));
        }
        if (volumes) {
            for (VolumeInfo v : engine.listVolumes(Map.of(Labels.STACK, plan.stack()))) {
                engine.removeVolume(v.name());
                events.accept(new StackEvent.Step(v.name(), "volume removed", ""));
            }
        }
    }

    /** Starts one service (and nothing else): its dependencies must already be up. */
    public void startService(StackPlan plan, ServiceName service, Consumer<StackEvent> events,
                             Cancellation cancellation) {
        ServiceSpec s = plan.service(service).orElseThrow(() -> new AixclException.NotFound(
                "service '" + service + "' is not in profile '" + plan.profile() + "'"));
        Map<String, ContainerState> existing = containersByService(plan.stack());
        for (Dependency d : s.dependsOn()) {
            ContainerState dep = existing.get(d.service().value());
            if (dep == null || !dep.running()) {
                throw new AixclException.Conflict("cannot start '" + service + "': it depends on '" + d.service()
                        + "', which is not running. Start it first, or run 'aixcl stack start'.");
            }
        }
        StackPlan single = new StackPlan(plan.stack(), plan.profile(), List.of(List.of(s)), List.of());
        start(single, Set.of(), false, events, cancellation);
    }

    public void stopService(StackPlan plan, ServiceName service, Consumer<StackEvent> events) {
        ContainerState c = containersByService(plan.stack()).get(service.value());
        if (c == null) {
            throw new AixclException.NotFound("service '" + service + "' has no container in stack '"
                    + plan.stack() + "'");
        }
        Duration timeout = plan.service(service).map(ServiceSpec::stopTimeout).orElse(ServiceSpec.DEFAULT_STOP_TIMEOUT);
        events.accept(new StackEvent.Step(service.value(), "stopping", ""));
        engine.stopContainer(c.id(), timeout);
        events.accept(new StackEvent.Step(service.value(), "stopped", ""));
    }

    /**
     * The state of every service in the plan, probed in parallel; each probe is bounded by {@code probeTimeout}
     * so a hung service costs at most that, once. Probes go by container id, after the listing (from memory while
     * nothing changed): the daemon's prober is its health monitor, which answers from its latest observation of
     * that container while fresh, so a status wakes no service. (Probing before the listing, without an id, made
     * every status probe every service live: ~10 processes to schedule per call on a busy machine.)
     */
    public List<ServiceStatus> status(StackPlan plan, Duration probeTimeout) {
        List<ServiceSpec> services = plan.services();
        List<ServiceStatus> result = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Map<String, ContainerState> existing = containersByService(plan.stack());
            List<Future<ServiceStatus>> futures = new ArrayList<>();
            for (ServiceSpec s : services) {
                futures.add(pool.submit(() -> statusOf(plan, s, existing.get(s.name().value()), probeTimeout)));
            }
            for (int i = 0; i < futures.size(); i++) {
                ServiceSpec s = services.get(i);
                try {
                    result.add(futures.get(i).get(probeTimeout.toMillis() + 500, TimeUnit.MILLISECONDS));
                } catch (TimeoutException | ExecutionException e) {
                    futures.get(i).cancel(true);
                    ContainerState c = existing.get(s.name().value());
                    result.add(new ServiceStatus(s.name().value(), s.role().name(), c == null
                            ? ServiceStatus.State.MISSING : state(c), ServiceStatus.Health.UNKNOWN,
                            "probe did not answer in time", Optional.empty(), c == null ? 0 : c.restartCount(),
                            Optional.empty(), s.ports(), s.image().value(), true));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AixclException.Cancelled("interrupted");
                }
            }
            pool.shutdownNow();
        }
        return result;
    }

    private static Duration probeTimeout(HealthCheck h, Duration probeTimeout) {
        return h.timeout().compareTo(probeTimeout) < 0 ? h.timeout() : probeTimeout;
    }

    private ServiceStatus statusOf(StackPlan plan, ServiceSpec s, ContainerState c, Duration probeTimeout) {
        String name = s.name().value();
        if (c == null) {
            return new ServiceStatus(name, s.role().name(), ServiceStatus.State.MISSING, ServiceStatus.Health.NONE,
                    "not created", Optional.empty(), 0, Optional.empty(), s.ports(), s.image().value(), false);
        }
        boolean upToDate = containerSpec(plan, s).labels().get(Labels.SPEC_HASH)
                .equals(c.labels().get(Labels.SPEC_HASH));
        ServiceStatus.State state = state(c);
        Optional<Duration> uptime = c.running() ? c.startedAt().map(t -> Duration.between(t, Instant.now()))
                : Optional.empty();
        Optional<Integer> exit = c.status() == ContainerState.Status.EXITED ? Optional.of(c.exitCode())
                : Optional.empty();
        ServiceStatus.Health health = ServiceStatus.Health.NONE;
        String detail = "";
        if (c.running() && s.health().isPresent()) {
            HealthProber.ProbeResult r = prober.probe(c.id(), s.health().get().probe(),
                    probeTimeout(s.health().get(), probeTimeout));
            health = r.healthy() ? ServiceStatus.Health.HEALTHY : ServiceStatus.Health.UNHEALTHY;
            detail = r.detail();
        } else if (!c.running()) {
            detail = exit.map(e -> "exited with code " + e + (c.oomKilled() ? " (out of memory)" : "")).orElse("");
        }
        return new ServiceStatus(name, s.role().name(), state, health, detail, uptime, c.restartCount(), exit,
                s.ports(), c.image(), upToDate);
    }

    private static ServiceStatus.State state(ContainerState c) {
        return switch (c.status()) {
            case RUNNING -> ServiceStatus.State.RUNNING;
            case RESTARTING -> ServiceStatus.State.RESTARTING;
            case PAUSED -> ServiceStatus.State.PAUSED;
            case CREATED -> ServiceStatus.State.CREATED;
            case EXITED, DEAD -> ServiceStatus.State.EXITED;
            default -> ServiceStatus.State.STOPPED;
        };
    }

    /** The stack's containers by service, in one listing. */
    public Map<String, ContainerState> containers(String stack) {
        return containersByService(stack);
    }

    /** The container of one service, for logs and exec. */
    public Optional<ContainerState> container(String stack, ServiceName service) {
        return Optional.ofNullable(containersByService(stack).get(service.value()));
    }

    public List<String> lastLogLines(String containerId, int n) {
        List<String> lines = new ArrayList<>();
        try (var ignored = engine.logs(containerId, n, false, (LogLine l) -> lines.add(l.text()))) {
            return lines;
        } catch (Exception e) {
            return List.of("(logs unavailable: " + e.getMessage() + ")");
        }
    }

    private Map<String, ContainerState> containersByService(String stack) {
        Map<String, ContainerState> byService = new LinkedHashMap<>();
        for (ContainerState c : engine.listContainers(Map.of(Labels.STACK, stack))) {
            c.label(Labels.SERVICE).ifPresent(s -> byService.put(s, c));
        }
        return byService;
    }
}
