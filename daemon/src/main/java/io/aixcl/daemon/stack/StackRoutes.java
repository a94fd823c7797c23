package io.aixcl.daemon.stack;

import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.core.AixclException;
import io.aixcl.core.engine.ContainerEngine;
import io.aixcl.core.engine.ContainerState;
import io.aixcl.core.engine.LogLine;
import io.aixcl.core.health.HealthMonitor;
import io.aixcl.core.health.NetworkHealthProber;
import io.aixcl.core.orchestrate.Cancellation;
import io.aixcl.core.orchestrate.PortProbe;
import io.aixcl.core.orchestrate.ServiceStatus;
import io.aixcl.core.orchestrate.StackOrchestrator;
import io.aixcl.core.orchestrate.StartPreview;
import io.aixcl.core.plan.Planner;
import io.aixcl.core.plan.StackPlan;
import io.aixcl.core.secrets.SecretDelivery;
import io.aixcl.core.stack.Profile;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.core.stack.StackDefinition;
import io.aixcl.core.inference.EngineState;
import io.aixcl.core.stack.Role;
import io.aixcl.daemon.EngineConnector;
import io.aixcl.daemon.inference.EngineChoice;
import io.aixcl.daemon.inference.RuntimeCore;
import io.aixcl.daemon.inference.RuntimePlacement;
import io.aixcl.daemon.http.ErrorMapping;
import io.aixcl.daemon.http.Exchange;
import io.aixcl.daemon.http.Router;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The stack and service routes: thin glue between the API and the orchestrator. */
public final class StackRoutes {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(StackRoutes.class.getName());
    private static final Duration STATUS_PROBE_TIMEOUT = Duration.ofSeconds(1);

    private final StackSource source;
    private final EngineConnector engines;
    private final ActiveProfile active;
    private final Path secretsDir;
    private final Optional<Path> configuredStackFile;
    private final String defaultProfileOverride;
    private final SecretDelivery secrets;
    private final Planner planner = new Planner();
    private final RuntimeCore runtime;
    private HealthMonitor monitor;

    public StackRoutes(StackSource source, EngineConnector engines, ActiveProfile active, Path secretsDir,
                       Optional<Path> configuredStackFile, String defaultProfileOverride) {
        this(source, engines, active, secretsDir, configuredStackFile, defaultProfileOverride, SecretDelivery.NONE);
    }

    /** {@code secrets} writes the secret files a service mounts; every start path calls it first. */
    public StackRoutes(StackSource source, EngineConnector engines, ActiveProfile active, Path secretsDir,
                       Optional<Path> configuredStackFile, String defaultProfileOverride, SecretDelivery secrets) {
        this(source, engines, active, secretsDir, configuredStackFile, defaultProfileOverride, secrets, null);
    }

    /**
     * {@code runtime} runs the runtime core where {@code inference.engine} and the machine allow: without a
     * container engine, on the embedded engine, while the services that need one are reported, not failed.
     * Null: the runtime core is always the stack's container (and no container engine fails every operation).
     */
    public StackRoutes(StackSource source, EngineConnector engines, ActiveProfile active, Path secretsDir,
                       Optional<Path> configuredStackFile, String defaultProfileOverride, SecretDelivery secrets,
                       RuntimeCore runtime) {
        this.runtime = runtime;
        this.secrets = secrets;
        this.source = source;
        this.engines = engines;
        this.active = active;
        this.secretsDir = secretsDir;
        this.configuredStackFile = configuredStackFile;
        this.defaultProfileOverride = defaultProfileOverride;
    }

    public void register(Router r) {
        r.get(ApiPaths.PROFILES, this::profiles);
        r.postRead(ApiPaths.STACK_PLAN, this::plan);
        r.post(ApiPaths.STACK_START, this::start);
        r.post(ApiPaths.STACK_STOP, this::stop);
        r.post(ApiPaths.STACK_RESTART, this::restart);
        r.post(ApiPaths.STACK_DOWN, this::down);
        r.get(ApiPaths.STACK_STATUS, this::status);
        r.get(ApiPaths.STACK_LOGS, this::stackLogs);
        r.postRead(ApiPaths.STACK_EXPORT, this::export);
        r.post(ApiPaths.SERVICES + "/{name}/start", this::serviceStart);
        r.post(ApiPaths.SERVICES + "/{name}/stop", this::serviceStop);
        r.post(ApiPaths.SERVICES + "/{name}/restart", this::serviceRestart);
        r.get(ApiPaths.SERVICES + "/{name}/status", this::serviceStatus);
        r.get(ApiPaths.SERVICES + "/{name}/logs", this::serviceLogs);
    }

    /** The stack a request is about, resolved: definition, profile, plan. */
    private record Resolved(StackDefinition definition, StackPlan plan, Optional<Path> stackFile) {}

    private Resolved resolve(String profile, String stackFile, boolean preferActive) {
        Optional<ActiveProfile.Active> last = preferActive ? active.active() : Optional.empty();
        Optional<Path> file = stackFile(stackFile);
        if ((stackFile == null || stackFile.isBlank()) && last.isPresent() && last.get().stackFile().isPresent()
                && Files.isRegularFile(last.get().stackFile().get())) {
            file = last.get().stackFile(); // what was started last, not the default, unless told otherwise
        }
        StackDefinition def = source.load(file);
        String p = profile;
        if (p == null || p.isBlank()) {
            p = last.map(ActiveProfile.Active::profile).filter(def.profiles()::containsKey).orElse(null);
        }
        if (p == null) {
            p = defaultProfileOverride != null ? defaultProfileOverride : def.defaultProfile();
        }
        return new Resolved(def, planner.plan(def, p), file);
    }

    private Optional<Path> stackFile(String requested) {
        if (requested != null && !requested.isBlank()) {
            Path p = Path.of(requested);
            if (!p.isAbsolute()) {
                throw new ErrorMapping.BadRequest("stackFile must be an absolute path, got '" + requested + "'");
            }
            if (!Files.isRegularFile(p)) {
                throw new AixclException.NotFound("stack file " + p + " does not exist or is not a regular file");
            }
            return Optional.of(p);
        }
        return configuredStackFile.filter(Files::isRegularFile);
    }

    private StackOrchestrator orchestrator() {
        ContainerEngine engine = engines.engine();
        return new StackOrchestrator(engine, monitor(engine), PortProbe.loopbackBind(), secretsDir);
    }

    private synchronized HealthMonitor monitor(ContainerEngine engine) {
        if (monitor == null) {
            monitor = new HealthMonitor(engine, new NetworkHealthProber(engine));
        }
        return monitor;
    }

    /** Keeps watching the health of the plan's running services (after a start, and when the daemon starts). */
    private void watch(StackOrchestrator o, StackPlan plan) {
        HealthMonitor m = monitor(engines.engine());
        Map<String, ContainerState> containers = o.containers(plan.stack()); // one listing for the whole plan
        for (var s : plan.services()) {
            s.health().ifPresent(check -> Optional.ofNullable(containers.get(s.name().value()))
                    .filter(ContainerState::running).ifPresent(c -> m.watch(c.id(), check)));
        }
    }

    /**
     * {@link #watch} after a start, without holding up its answer: the listing it needs costs 50-250 ms on a
     * loaded machine, and until it is done a status probes those services live, which answers the same.
     */
    private void watchSoon(StackOrchestrator o, StackPlan plan) {
        Thread.ofVirtual().name("health-watch").start(() -> {
            try {
                watch(o, plan);
            } catch (RuntimeException e) {
                LOG.warning("cannot watch the health of stack " + plan.stack() + ": " + e.getMessage());
            }
        });
    }

    /** The plan of the profile that was last started (or the default one). */
    public StackPlan activePlan() {
        return resolve(null, null, true).plan();
    }

    /** Called once the engine is connected: resumes watching what was last started. */
    public void resumeWatching() {
        Resolved r = resolve(null, null, true);
        if (runtime != null && runtime.decided().isEmpty()) {
            // After a daemon restart: where the last start put the runtime core, as far as can be told unasked.
            try {
                runtime.use(choosePlacement(r.plan(), containerAccess(), Optional.empty()));
            } catch (AixclException e) {
                LOG.warning("inference: " + e.getMessage());
            }
        }
        watch(orchestrator(), r.plan());
    }

    public synchronized void close() {
        if (monitor != null) {
            monitor.close();
        }
    }

    private void profiles(Exchange ex) throws IOException {
        StackDefinition def = source.load(stackFile(ex.query("stackFile")));
        String defaultProfile = defaultProfileOverride != null ? defaultProfileOverride : def.defaultProfile();
        Optional<String> activeProfile = active.get();
        List<Dtos.ProfileInfo> list = new ArrayList<>();
        for (Profile p : def.profiles().values()) {
            list.add(new Dtos.ProfileInfo(p.name(), p.description(),
                    p.services().stream().map(ServiceName::value).toList(), p.name().equals(defaultProfile),
                    activeProfile.filter(p.name()::equals).isPresent()));
        }
        ex.ok(list);
    }

    private void plan(Exchange ex) throws IOException {
        Dtos.StackRequest req = ex.body(Dtos.StackRequest.class);
        Resolved r = resolve(req.profile(), req.stackFile(), false);
        ex.ok(EventMapping.plan(orchestrator().preview(r.plan(), r.definition().services().keySet())));
    }

    private void start(Exchange ex) throws IOException {
        Dtos.StackRequest req = ex.body(Dtos.StackRequest.class);
        Resolved r = resolve(req.profile(), req.stackFile(), false);
        if (runtime == null) {
            StackOrchestrator o = orchestrator();
            streamed(ex, (stream, cancellation) -> {
                active.set(r.plan().profile(), r.stackFile());
                return startContainers(o, r, r.plan(), req, stream, cancellation);
            });
            return;
        }
        ContainerAccess access = containerAccess();
        streamed(ex, (stream, cancellation) -> startWithRuntime(r, req, access, stream, cancellation));
    }

    /** Starts the runtime core where the choice puts it, then the other services on the engine, if there is one. */
    private Map<String, Object> startWithRuntime(Resolved r, Dtos.StackRequest req, ContainerAccess access,
                                                 Exchange.EventStream stream, Cancellation cancellation) {
        active.set(r.plan().profile(), r.stackFile());
        RuntimePlacement placement = choosePlacement(r.plan(), access, stream);
        runtime.use(placement);
        Map<String, Object> result = new java.util.LinkedHashMap<>();
        if (placement instanceof RuntimePlacement.Container) {
            result.putAll(startContainers(orchestrator(), r, r.plan(), req, stream, cancellation));
            result.put("inference", placement.engineName());
            return result;
        }
        stream.send(note("inference", "inference: " + placement.describe()));
        if (placement instanceof RuntimePlacement.Embedded) {
            long t0 = System.nanoTime();
            EngineState state = runtime.startEmbedded();
            stream.send(Dtos.Event.step("inference", state.summary(), "embedded llama.cpp; models load on "
                    + "first use"));
            if (state instanceof EngineState.Ready) {
                stream.send(EventMapping.toEvent(new io.aixcl.core.orchestrate.StackEvent.Healthy("inference",
                        Duration.ofNanos(System.nanoTime() - t0))));
            }
        }
        StackPlan rest = withoutRuntimeCore(r.plan());
        List<String> needEngine = List.of();
        if (access instanceof ContainerAccess.Available) {
            if (!rest.services().isEmpty()) {
                result.putAll(startContainers(orchestrator(), r, rest, req, stream, cancellation));
            }
        } else {
            needEngine = rest.services().stream().map(sv -> sv.name().value()).toList();
            for (String name : needEngine) {
                stream.send(note(name, name + " needs a container engine: " + EngineChoice.INSTALL_ENGINE));
            }
        }
        result.putIfAbsent("profile", r.plan().profile());
        result.putIfAbsent("changed", true);
        result.put("inference", placement.engineName());
        result.put("needsContainerEngine", needEngine);
        return result;
    }

    private Map<String, Object> startContainers(StackOrchestrator o, Resolved r, StackPlan plan,
                                                Dtos.StackRequest req, Exchange.EventStream stream,
                                                Cancellation cancellation) {
        try {
            deliverSecrets(r, plan.services());
            StartPreview p = o.start(plan, r.definition().services().keySet(), req.removeOrphans(),
                    e -> stream.send(EventMapping.toEvent(e)), cancellation);
            return Map.of("profile", plan.profile(), "changed", !p.changesNothing());
        } finally {
            watchSoon(o, plan);
        }
    }

    /** Whether a container engine answers now, and why not when none does. */
    private sealed interface ContainerAccess {
        record Available(ContainerEngine engine) implements ContainerAccess {}

        record Unavailable(String reason) implements ContainerAccess {}
    }

    private ContainerAccess containerAccess() {
        try {
            return new ContainerAccess.Available(engines.engine());
        } catch (AixclException.EngineUnavailable e) {
            return new ContainerAccess.Unavailable(EngineChoice.briefly(e.getMessage()));
        }
    }

    /** Decides where the runtime core runs; for auto and ollama, pulls a missing runtime image (with progress). */
    private RuntimePlacement choosePlacement(StackPlan plan, ContainerAccess access, Exchange.EventStream stream) {
        return choosePlacement(plan, access, Optional.of(stream));
    }

    /** As above; without a stream, nothing is pulled and a missing image counts as unavailable. */
    private RuntimePlacement choosePlacement(StackPlan plan, ContainerAccess access,
                                             Optional<Exchange.EventStream> progress) {
        Optional<ServiceSpec> core = plan.services().stream().filter(sv -> sv.role() == Role.RUNTIME_CORE)
                .findFirst();
        String image = core.map(sv -> sv.image().value()).orElse("(none)");
        URI upstream = core.filter(sv -> !sv.ports().isEmpty())
                .map(sv -> URI.create("http://127.0.0.1:" + sv.ports().getFirst()))
                .orElse(RuntimeCore.CONTAINER_UPSTREAM);
        return EngineChoice.choose(runtime.settings().engine(), runtime.settings().url(), upstream,
                new EngineChoice.Host() {
                    @Override
                    public Optional<String> containerEngineProblem() {
                        return access instanceof ContainerAccess.Unavailable u ? Optional.of(u.reason())
                                : Optional.empty();
                    }

                    @Override
                    public String runtimeImage() {
                        return image;
                    }

                    @Override
                    public Optional<String> runtimeImageProblem() {
                        ContainerEngine engine = ((ContainerAccess.Available) access).engine();
                        if (core.isEmpty() || engine.imageExists(image)) {
                            return Optional.empty();
                        }
                        if (progress.isEmpty()) {
                            return Optional.of("not present locally");
                        }
                        Exchange.EventStream stream = progress.get();
                        try {
                            long t0 = System.nanoTime();
                            engine.pullImage(image, pr -> stream.send(EventMapping.toEvent(
                                    new io.aixcl.core.orchestrate.StackEvent.Pulling(pr))));
                            stream.send(EventMapping.toEvent(new io.aixcl.core.orchestrate.StackEvent.Pulled(image,
                                    Duration.ofNanos(System.nanoTime() - t0))));
                            return Optional.empty();
                        } catch (AixclException.ImageUnavailable | AixclException.EngineUnavailable e) {
                            return Optional.of(e.getMessage().lines().findFirst().orElse("cannot pull it"));
                        }
                    }
                });
    }

    /** The plan without the runtime core, for when it runs outside the container engine. */
    private static StackPlan withoutRuntimeCore(StackPlan plan) {
        List<List<ServiceSpec>> levels = plan.levels().stream()
                .map(l -> l.stream().filter(sv -> sv.role() != Role.RUNTIME_CORE).toList())
                .filter(l -> !l.isEmpty()).toList();
        return new StackPlan(plan.stack(), plan.profile(), levels, plan.addedAsDependencies());
    }

    /** A line of progress shown as it is written. */
    private static Dtos.Event note(String service, String text) {
        return new Dtos.Event("note", service, null, text, null, null, 0, 0, null, null, null, null, null);
    }

    /** Whether the runtime core runs outside the container engine now (embedded or remote). */
    private boolean runtimeOutsideContainers(ContainerAccess access) {
        if (runtime == null) {
            return false;
        }
        Optional<RuntimePlacement> decided = runtime.decided();
        if (decided.isPresent()) {
            return !(decided.get() instanceof RuntimePlacement.Container);
        }
        return access instanceof ContainerAccess.Unavailable;
    }

    private void stop(Exchange ex) throws IOException {
        Dtos.StackRequest req = ex.body(Dtos.StackRequest.class);
        Resolved r = resolve(req.profile(), req.stackFile(), true);
        if (runtime == null) {
            StackOrchestrator o = orchestrator();
            streamed(ex, (stream, cancellation) ->
                    Map.of("stopped", o.stop(r.plan(), e -> stream.send(EventMapping.toEvent(e)))));
            return;
        }
        ContainerAccess access = containerAccess();
        streamed(ex, (stream, cancellation) -> Map.of("stopped", stopWithRuntime(r, access, stream)));
    }

    /** Stops the profile's containers (with an engine) and the embedded engine (when it runs); returns what stopped. */
    private List<String> stopWithRuntime(Resolved r, ContainerAccess access, Exchange.EventStream stream) {
        List<String> stopped = new ArrayList<>();
        if (access instanceof ContainerAccess.Available) {
            stopped.addAll(orchestrator().stop(r.plan(), e -> stream.send(EventMapping.toEvent(e))));
        }
        if (!(runtime.embeddedState() instanceof EngineState.Stopped)) {
            stream.send(Dtos.Event.step("inference", "stopping", "embedded llama.cpp engine"));
            runtime.stopEmbedded();
            stream.send(Dtos.Event.step("inference", "stopped", "embedded llama.cpp engine"));
            if (!stopped.contains("inference")) {
                stopped.add("inference");
            }
        }
        return stopped;
    }

    private void restart(Exchange ex) throws IOException {
        Dtos.StackRequest req = ex.body(Dtos.StackRequest.class);
        Resolved r = resolve(req.profile(), req.stackFile(), true);
        if (runtime != null) {
            ContainerAccess access = containerAccess();
            streamed(ex, (stream, cancellation) -> {
                stopWithRuntime(r, access, stream);
                Map<String, Object> result = startWithRuntime(r, req, access, stream, cancellation);
                return Map.of("profile", result.get("profile"));
            });
            return;
        }
        StackOrchestrator o = orchestrator();
        streamed(ex, (stream, cancellation) -> {
            o.stop(r.plan(), e -> stream.send(EventMapping.toEvent(e)));
            active.set(r.plan().profile(), r.stackFile());
            try {
                deliverSecrets(r, r.plan().services());
                o.start(r.plan(), r.definition().services().keySet(), req.removeOrphans(),
                        e -> stream.send(EventMapping.toEvent(e)), cancellation);
            } finally {
                watchSoon(o, r.plan());
            }
            return Map.of("profile", r.plan().profile());
        });
    }

    private void down(Exchange ex) throws IOException {
        Dtos.StackRequest req = ex.body(Dtos.StackRequest.class);
        Resolved r = resolve(req.profile(), req.stackFile(), true);
        if (runtime != null && containerAccess() instanceof ContainerAccess.Unavailable) {
            // Nothing in containers to remove: down is then the embedded engine's stop.
            streamed(ex, (stream, cancellation) -> {
                stopWithRuntime(r, new ContainerAccess.Unavailable(""), stream);
                return Map.of("volumesRemoved", false);
            });
            return;
        }
        StackOrchestrator o = orchestrator();
        streamed(ex, (stream, cancellation) -> {
            o.down(r.plan(), req.volumes(), e -> stream.send(EventMapping.toEvent(e)));
            secrets.withdraw(r.plan().stack(), r.plan().services());
            if (runtime != null) {
                runtime.stopEmbedded();
            }
            return Map.of("volumesRemoved", req.volumes());
        });
    }

    private void status(Exchange ex) throws IOException {
        Resolved r = resolve(ex.query("profile"), ex.query("stackFile"), true);
        ContainerAccess access = runtime == null ? null : containerAccess();
        Dtos.StackStatus status;
        if (!runtimeOutsideContainers(access)) {
            List<ServiceStatus> statuses = orchestrator().status(r.plan(), STATUS_PROBE_TIMEOUT);
            status = EventMapping.stackStatus(r.plan().stack(), r.plan().profile(), statuses);
        } else {
            StackPlan rest = withoutRuntimeCore(r.plan());
            List<ServiceStatus> others = access instanceof ContainerAccess.Available
                    ? orchestrator().status(rest, STATUS_PROBE_TIMEOUT) : List.of();
            List<String> needEngine = access instanceof ContainerAccess.Available ? List.of()
                    : rest.services().stream().map(sv -> sv.name().value()).toList();
            RuntimePlacement placement = runtime.placement();
            status = EventMapping.stackStatusBeside(r.plan().stack(), r.plan().profile(),
                    runtimeRow(r.plan(), placement), others, rest.services(), needEngine);
        }
        ex.header(ApiPaths.HEALTHY_HEADER, Boolean.toString(status.healthy()));
        ex.ok(status);
    }

    /** The runtime core's row when it runs outside the container engine. */
    private Dtos.ServiceStatus runtimeRow(StackPlan plan, RuntimePlacement placement) {
        String name = plan.services().stream().filter(sv -> sv.role() == Role.RUNTIME_CORE)
                .map(sv -> sv.name().value()).findFirst().orElse("inference");
        return switch (placement) {
            case RuntimePlacement.Embedded e -> EventMapping.embeddedStatus(name, runtime.embeddedState(),
                    runtime.embeddedModels());
            case RuntimePlacement.Remote rm -> new Dtos.ServiceStatus(name, "runtime-core", "remote", "unknown",
                    placement.describe(), null, 0, null, List.of(), rm.url().toString(), true);
            case RuntimePlacement.Container c -> throw new IllegalStateException("the runtime core runs in a container");
        };
    }

    private void export(Exchange ex) throws IOException {
        Dtos.StackRequest req = ex.body(Dtos.StackRequest.class);
        String format = Optional.ofNullable(ex.query("format")).orElse("compose");
        if (!format.equals("compose")) {
            throw new ErrorMapping.BadRequest("unknown export format '" + format + "': supported is 'compose'");
        }
        Resolved r = resolve(req.profile(), req.stackFile(), false);
        ex.ok(new Dtos.Export(format, source.export(r.plan(), format, "bridge".equals(ex.query("network")))));
    }

    private void deliverSecrets(Resolved r, List<ServiceSpec> services) {
        secrets.deliver(r.plan().stack(), services, r.definition().secretPolicies());
    }

    /** The declared stack, for the secret routes: the configured stack file, or {@code stackFile} when given. */
    public StackDefinition definition(String stackFile) {
        return source.load(stackFile(stackFile));
    }

    /**
     * After secrets changed: hands the new files to each running service of the stack that uses one of
     * {@code changedSecrets} and restarts it (a running container keeps the file it mounted), dependencies first.
     * Any running consumer counts, whichever profile started it. Returns the restarted services.
     */
    public List<String> restartConsumers(java.util.Set<String> changedSecrets, String stackFile,
                                         java.util.function.Consumer<Dtos.Event> events, Cancellation cancellation) {
        StackDefinition def = source.load(stackFile(stackFile));
        StackOrchestrator o = orchestrator();
        List<Resolved> consumers = new ArrayList<>();
        List<ServiceName> names = new ArrayList<>();
        for (ServiceSpec s : def.services().values()) {
            boolean consumer = s.secrets().stream().anyMatch(ref -> changedSecrets.contains(ref.name()));
            if (consumer && o.container(def.name(), s.name()).filter(ContainerState::running).isPresent()) {
                consumers.add(resolveForService(null, stackFile, s.name()));
                names.add(s.name());
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(i -> consumers.get(i).plan().levelOf(names.get(i))));
        List<String> restarted = new ArrayList<>();
        for (int i : order) {
            Resolved r = consumers.get(i);
            ServiceName name = names.get(i);
            o.stopService(r.plan(), name, e -> events.accept(EventMapping.toEvent(e)));
            try {
                deliverSecrets(r, List.of(r.plan().service(name).orElseThrow()));
                o.startService(r.plan(), name, e -> events.accept(EventMapping.toEvent(e)), cancellation);
            } finally {
                watchSoon(o, r.plan());
            }
            restarted.add(name.value());
        }
        return restarted;
    }

    private ServiceName serviceName(Exchange ex) {
        String name = ex.pathParam("name");
        if (!ServiceName.isValid(name)) {
            throw new ErrorMapping.BadRequest("invalid service name '" + name + "'");
        }
        return ServiceName.of(name);
    }

    /** The plan a service request is about: the active profile when it has the service, else a profile that does. */
    private Resolved resolveForService(String profile, String stackFile, ServiceName service) {
        Resolved r = resolve(profile, stackFile, true);
        if (r.plan().service(service).isPresent() || (profile != null && !profile.isBlank())) {
            return r;
        }
        for (Profile p : r.definition().profiles().values()) {
            if (p.services().contains(service)) {
                return new Resolved(r.definition(), planner.plan(r.definition(), p.name()), r.stackFile());
            }
        }
        if (r.definition().services().containsKey(service)) {
            throw new AixclException.NotFound("service '" + service + "' is in no profile");
        }
        throw new AixclException.NotFound("unknown service '" + service + "': declared services are "
                + String.join(", ", r.definition().services().keySet().stream().map(ServiceName::value).toList()));
    }

    private void serviceStart(Exchange ex) throws IOException {
        onService(ex, false, true);
    }

    private void serviceStop(Exchange ex) throws IOException {
        onService(ex, true, false);
    }

    private void serviceRestart(Exchange ex) throws IOException {
        onService(ex, true, true);
    }

    /** Stops and/or starts one service, streaming its steps; a start first delivers its secrets, then watches it. */
    private void onService(Exchange ex, boolean stop, boolean start) throws IOException {
        ServiceName name = serviceName(ex);
        Dtos.StackRequest req = ex.body(Dtos.StackRequest.class);
        Resolved r = resolveForService(req.profile(), req.stackFile(), name);
        StackOrchestrator o = orchestrator();
        streamed(ex, (stream, c) -> {
            if (stop) {
                o.stopService(r.plan(), name, e -> stream.send(EventMapping.toEvent(e)));
            }
            if (start) {
                try {
                    deliverSecrets(r, List.of(r.plan().service(name).orElseThrow()));
                    o.startService(r.plan(), name, e -> stream.send(EventMapping.toEvent(e)), c);
                } finally {
                    watchSoon(o, r.plan());
                }
            }
            return Map.of("service", name.value());
        });
    }

    private void serviceStatus(Exchange ex) throws IOException {
        ServiceName name = serviceName(ex);
        Resolved r = resolveForService(ex.query("profile"), ex.query("stackFile"), name);
        StackPlan single = new StackPlan(r.plan().stack(), r.plan().profile(),
                List.of(List.of(r.plan().service(name).orElseThrow())), List.of());
        ex.ok(EventMapping.status(orchestrator().status(single, STATUS_PROBE_TIMEOUT).getFirst()));
    }

    private void serviceLogs(Exchange ex) throws IOException {
        ServiceName name = serviceName(ex);
        Resolved r = resolveForService(ex.query("profile"), ex.query("stackFile"), name);
        logs(ex, r.plan().stack(), List.of(name));
    }

    private void stackLogs(Exchange ex) throws IOException {
        Resolved r = resolve(ex.query("profile"), ex.query("stackFile"), true);
        logs(ex, r.plan().stack(), r.plan().services().stream().map(s -> s.name()).toList());
    }

    /** Without follow, each service's last N lines, merged by time; with follow, then everything new as it comes. */
    private void logs(Exchange ex, String stack, List<ServiceName> services) throws IOException {
        int tail = ex.queryInt("tail", 100);
        boolean follow = ex.queryBool("follow");
        ContainerEngine engine = engines.engine();
        StackOrchestrator o = orchestrator();
        List<ContainerState> containers = new ArrayList<>();
        for (ServiceName s : services) {
            o.container(stack, s).ifPresent(containers::add);
        }
        if (containers.isEmpty()) {
            throw new AixclException.NotFound("no containers for " + (services.size() == 1 ? "service '"
                    + services.getFirst() + "'" : "this stack") + ": start it first");
        }
        try (Exchange.EventStream stream = ex.stream()) {
            try {
                sendLogs(engine, containers, tail, follow, stream);
            } catch (RuntimeException e) {
                // The response has started: the failure travels as the stream's last event, not a status code.
                stream.send(Dtos.Event.error(ErrorMapping.toApiError(e)));
            }
        }
    }

    /** Without follow, each container's last lines merged by time; with follow, then new lines until they stop. */
    private static void sendLogs(ContainerEngine engine, List<ContainerState> containers, int tail, boolean follow,
                                 Exchange.EventStream stream) {
        List<Dtos.Event> backlog = new ArrayList<>();
        for (ContainerState c : containers) {
            String service = c.labels().getOrDefault(io.aixcl.core.plan.Labels.SERVICE, c.name());
            try (Closeable ignored = engine.logs(c.id(), tail, false, l -> {
                synchronized (backlog) {
                    backlog.add(logEvent(service, l));
                }
            })) {
                // collected
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        backlog.sort(Comparator.comparing(e -> e.log().time() == null ? "" : e.log().time()));
        backlog.forEach(stream::send);
        if (!follow) {
            return;
        }
        List<Closeable> follows = new ArrayList<>();
        try {
            for (ContainerState c : containers) {
                String service = c.labels().getOrDefault(io.aixcl.core.plan.Labels.SERVICE, c.name());
                follows.add(engine.logs(c.id(), 0, true, l -> stream.send(logEvent(service, l))));
            }
            Cancellation cancellation = stream.cancellation();
            long nextCheck = System.nanoTime();
            while (!cancellation.cancelled()) {
                Thread.sleep(250);
                if (System.nanoTime() >= nextCheck) {
                    // A follow ends when every followed container has stopped: nothing more will come.
                    nextCheck = System.nanoTime() + 1_000_000_000L;
                    if (containers.stream().noneMatch(c -> engine.inspectContainer(c.id())
                            .map(x -> x.status().isUp()).orElse(false))) {
                        Thread.sleep(300); // the last lines are still on their way
                        break;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (Closeable f : follows) {
                try {
                    f.close();
                } catch (IOException ignored) {
                    // the follow is over either way
                }
            }
        }
    }

    private static Dtos.Event logEvent(String service, LogLine l) {
        return new Dtos.Event("log", service, null, null, null, null, 0, 0, null, null,
                new Dtos.LogLine(service, l.stream().name().toLowerCase(), l.time() == null ? null : l.time().toString(),
                        l.text()), null, null);
    }

    @FunctionalInterface
    private interface StreamedOperation {
        Map<String, Object> run(Exchange.EventStream stream, Cancellation cancellation) throws Exception;
    }

    /** Runs an operation with its events streamed; the last line is a result or an error. */
    private static void streamed(Exchange ex, StreamedOperation op) {
        try (Exchange.EventStream stream = ex.stream()) {
            try {
                Map<String, Object> result = op.run(stream, stream.cancellation());
                stream.send(new Dtos.Event("result", null, null, null, null, null, 0, 0, null, null, null, null,
                        result));
            } catch (Throwable t) {
                stream.send(Dtos.Event.error(ErrorMapping.toApiError(t)));
            }
        }
    }
}
