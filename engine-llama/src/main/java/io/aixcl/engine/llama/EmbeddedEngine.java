package io.aixcl.engine.llama;

import static java.util.Objects.requireNonNull;

import io.aixcl.core.inference.EngineState;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationListener;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceEngine;
import io.aixcl.core.inference.GenerationQueue;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.ModelStatus;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Comparator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp embedded through JNI, run in a supervised child JVM so that a native crash or a hostile model file
 * costs a restart of the worker, never the daemon. See {@link Supervisor} for restarts, {@link ModelSlot} for
 * residency and keep-alive, {@link GenerationQueue} for the per-model limit.
 */
public final class EmbeddedEngine implements InferenceEngine {

    private static final System.Logger LOG = System.getLogger(EmbeddedEngine.class.getName());

    /** sun_path holds 108 bytes on Linux, 104 on macOS; leave room for the socket's own name. */
    private static final int MAX_RUNTIME_DIR_BYTES = 80;

    private final EmbeddedEngineConfig config;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Supervisor supervisor;
    private final Map<String, ModelSlot> slots = new ConcurrentHashMap<>();

    public EmbeddedEngine(EmbeddedEngineConfig config) {
        this(config, Clock.systemUTC());
    }

    EmbeddedEngine(EmbeddedEngineConfig config, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "llama-engine-supervisor");
            thread.setDaemon(true);
            return thread;
        });
        this.supervisor = new Supervisor(config, scheduler, clock);
    }

    @Override
    public void start() {
        prepareRuntimeDir(config.runtimeDir());
        long sweep = config.keepAliveSweep().toMillis();
        scheduler.scheduleWithFixedDelay(this::evictIdleModels, sweep, sweep, TimeUnit.MILLISECONDS);
        supervisor.start();
    }

    @Override
    public EngineState state() {
        return supervisor.state();
    }

    /** The worker's process id while one runs: for {@code stack status}, and for tests that kill it. */
    public OptionalLong workerPid() {
        return supervisor.workerPid();
    }

    @Override
    public ModelStatus load(ModelSpec spec) {
        requireNonNull(spec, "spec is null");
        GgufFile.check(spec.path());
        ModelSlot[] replaced = new ModelSlot[1];
        ModelSlot slot = slots.compute(spec.id(), (id, existing) -> {
            if (existing != null && existing.spec().sameResidentShape(spec)
                    && existing.spec().maxQueued() == spec.maxQueued()) {
                existing.keepAlive(spec.keepAlive());
                return existing;
            }
            replaced[0] = existing;
            return new ModelSlot(spec, clock.instant());
        });
        if (replaced[0] != null) {
            replaced[0].remove(config.loadTimeout());
        }
        try {
            slot.ensureResident(supervisor, config, clock.instant());
        } catch (InferenceException.LoadFailed e) {
            // A model that cannot load is not registered: the next request names the problem again.
            slots.remove(spec.id(), slot);
            throw e;
        }
        slot.touch(clock.instant());
        return slot.status();
    }

    @Override
    public void unload(String modelId) {
        ModelSlot slot = slots.remove(modelId);
        if (slot == null) {
            throw new InferenceException.ModelNotFound(modelId);
        }
        slot.remove(config.loadTimeout());
    }

    @Override
    public void keep(String modelId, Duration keepAlive) {
        ModelSlot slot = slots.get(modelId);
        if (slot == null) {
            throw new InferenceException.ModelNotFound(modelId);
        }
        slot.requested(java.util.Optional.of(keepAlive));
        slot.touch(clock.instant());
    }

    @Override
    public List<ModelStatus> models() {
        return slots.values().stream().map(ModelSlot::status).sorted(Comparator.comparing(ModelStatus::id)).toList();
    }

    @Override
    public Generation generate(GenerationRequest request, GenerationListener listener) {
        requireNonNull(request, "request is null");
        requireNonNull(listener, "listener is null");
        if (supervisor.state() instanceof EngineState.Stopped) {
            throw new InferenceException.EngineUnavailable("the embedded engine is stopped", null);
        }
        ModelSlot slot = slots.get(request.modelId());
        if (slot == null) {
            throw new InferenceException.ModelNotFound(request.modelId());
        }
        GenerationQueue.Ticket ticket = slot.queue().admit();
        slot.requested(request.keepAlive());
        var generation = new RunningGeneration(request, listener, slot, ticket, supervisor, config, clock);
        generation.start();
        return generation;
    }

    @Override
    public void close() {
        supervisor.close();
        scheduler.shutdownNow();
    }

    private void evictIdleModels() {
        for (ModelSlot slot : slots.values()) {
            try {
                if (slot.evictIfIdle(clock.instant(), config.loadTimeout())) {
                    LOG.log(Level.INFO, "model {0} left memory after idling past its keep-alive", slot.spec().id());
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "evicting an idle model failed", e);
            }
        }
    }

    private static void prepareRuntimeDir(Path dir) {
        Path absolute = dir.toAbsolutePath();
        if (absolute.toString().getBytes(StandardCharsets.UTF_8).length > MAX_RUNTIME_DIR_BYTES) {
            throw new InferenceException.EngineUnavailable("the engine's runtime folder " + absolute
                    + " is too long a path for a Unix socket (at most " + MAX_RUNTIME_DIR_BYTES + " bytes)", null);
        }
        try {
            Files.createDirectories(absolute);
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(absolute, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException e) {
            throw new InferenceException.EngineUnavailable(
                    "cannot prepare the engine's runtime folder " + absolute + ": " + e.getMessage(), e);
        }
    }
}
