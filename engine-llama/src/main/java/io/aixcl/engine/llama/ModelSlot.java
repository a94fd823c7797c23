package io.aixcl.engine.llama;

import io.aixcl.core.inference.GenerationQueue;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.ModelStatus;
import io.aixcl.engine.llama.protocol.Frame;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One registered model: its admission queue and whether it is resident in the current worker. Residency is tied
 * to a worker session, so after a crash the model is simply not resident in the new one and the next generation
 * loads it again. Loading and eviction take the same lock, so a generation never runs on a model being evicted.
 */
final class ModelSlot {

    private final ModelSpec spec;
    private final GenerationQueue queue;
    private final ReentrantLock residency = new ReentrantLock();
    private final Set<RunningGeneration> generations = ConcurrentHashMap.newKeySet();
    /** The model's own keep-alive (its spec's, or the last load's). */
    private volatile Duration keepAlive;
    /** The last generation's own keep-alive (Ollama's per-request {@code keep_alive}), or null: the model's. */
    private volatile Duration requestedKeepAlive;
    private volatile Supervisor.Session residentIn;
    private volatile Instant lastUsed;
    private volatile boolean removed;

    ModelSlot(ModelSpec spec, Instant now) {
        this.spec = spec;
        this.queue = new GenerationQueue(spec.id(), spec.maxConcurrent(), spec.maxQueued());
        this.keepAlive = spec.keepAlive();
        this.lastUsed = now;
    }

    ModelSpec spec() {
        return spec.withKeepAlive(keepAlive);
    }

    GenerationQueue queue() {
        return queue;
    }

    void keepAlive(Duration value) {
        keepAlive = value;
    }

    /**
     * A generation starts: until the next one, the model stays in memory for what it asked for, or else for the
     * model's own keep-alive (as Ollama does: each request sets the expiry anew).
     */
    void requested(java.util.Optional<Duration> value) {
        requestedKeepAlive = value.orElse(null);
    }

    /** How long the model stays in memory once idle. */
    Duration effectiveKeepAlive() {
        Duration requested = requestedKeepAlive;
        return requested != null ? requested : keepAlive;
    }

    void touch(Instant now) {
        lastUsed = now;
    }

    void track(RunningGeneration generation) {
        generations.add(generation);
    }

    void untrack(RunningGeneration generation) {
        generations.remove(generation);
    }

    /** Makes the model resident in the running worker (loading it if needed) and returns that worker's session. */
    Supervisor.Session ensureResident(Supervisor supervisor, EmbeddedEngineConfig config, Instant now) {
        try {
            residency.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException.EngineUnavailable("interrupted waiting for model '" + spec.id() + "'", e);
        }
        try {
            if (removed) {
                throw new InferenceException.ModelNotFound(spec.id());
            }
            Supervisor.Session session = supervisor.awaitReady(config.startTimeout());
            if (residentIn == session && !session.dead()) {
                return session;
            }
            Frame.ToParent reply;
            try {
                // Absolute: the worker runs in its own folder, so a path relative to the daemon's would miss.
                String path = spec.path().toAbsolutePath().normalize().toString();
                reply = session.request(call -> new Frame.Load(call, spec.id(), path,
                        spec.contextTokens(), spec.maxConcurrent(), config.threads()), config.loadTimeout());
            } catch (TimeoutException e) {
                throw new InferenceException.LoadFailed("loading model '" + spec.id() + "' took longer than "
                        + config.loadTimeout().toSeconds() + " s", e);
            } catch (InferenceException.EngineUnavailable e) {
                throw new InferenceException.LoadFailed("the llama.cpp worker died while loading model '" + spec.id()
                        + "' from " + spec.path() + " (a corrupt or hostile model file?): " + e.getMessage(), e);
            }
            return switch (reply) {
                case Frame.Loaded loaded -> {
                    residentIn = session;
                    lastUsed = now;
                    yield session;
                }
                case Frame.Failed failed -> throw new InferenceException.LoadFailed(
                        "cannot load model '" + spec.id() + "': " + failed.message(), null);
                default -> throw new InferenceException.LoadFailed("unexpected answer to a load: " + reply, null);
            };
        } finally {
            residency.unlock();
        }
    }

    /** Frees the model's memory when it has idled past its keep-alive; skips it when busy or being loaded. */
    boolean evictIfIdle(Instant now, Duration timeout) {
        if (!residency.tryLock()) {
            return false;
        }
        try {
            Supervisor.Session session = residentIn;
            if (session == null || session.dead() || !queue.idle()
                    || Duration.between(lastUsed, now).compareTo(effectiveKeepAlive()) < 0) {
                return false;
            }
            unloadFrom(session, timeout);
            return true;
        } finally {
            residency.unlock();
        }
    }

    /** Forgets the model: generations waiting fail, running ones are cancelled, the worker frees it. */
    void remove(Duration timeout) {
        removed = true;
        for (RunningGeneration generation : generations) {
            generation.abandon(new InferenceException.ModelNotFound(spec.id()));
        }
        residency.lock();
        try {
            Supervisor.Session session = residentIn;
            if (session != null && !session.dead()) {
                unloadFrom(session, timeout);
            }
        } finally {
            residency.unlock();
        }
    }

    private void unloadFrom(Supervisor.Session session, Duration timeout) {
        residentIn = null;
        try {
            // The worker cancels the model's generations and waits for them before freeing it.
            session.request(call -> new Frame.Unload(call, spec.id()), timeout);
        } catch (TimeoutException | InferenceException e) {
            // Not resident as far as we are concerned; a dead worker took the memory with it.
        }
    }

    ModelStatus status() {
        boolean resident = residentIn != null && !residentIn.dead();
        Duration keep = effectiveKeepAlive();
        Optional<Instant> evictAt = !resident || keep.equals(ModelSpec.KEEP_FOREVER) || !queue.idle()
                ? Optional.empty()
                : Optional.of(lastUsed.plus(keep));
        return new ModelStatus(spec(), resident, queue.running(), queue.queued(), lastUsed, evictAt);
    }
}
