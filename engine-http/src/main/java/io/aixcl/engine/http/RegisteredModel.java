package io.aixcl.engine.http;

import io.aixcl.core.inference.GenerationQueue;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.ModelStatus;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A model registered on an HTTP engine: its spec, its admission queue and its generations under way. */
final class RegisteredModel {

    private final GenerationQueue queue;
    private final Set<UpstreamGeneration> generations = ConcurrentHashMap.newKeySet();
    private volatile ModelSpec spec;
    private volatile Instant lastUsed;
    private volatile boolean removed;

    RegisteredModel(ModelSpec spec, Instant now) {
        this.spec = spec;
        this.queue = new GenerationQueue(spec.id(), spec.maxConcurrent(), spec.maxQueued());
        this.lastUsed = now;
    }

    boolean removed() {
        return removed;
    }

    ModelSpec spec() {
        return spec;
    }

    /** Whether a model registered under this spec can take {@code other} as it is (same limits). */
    boolean sameLimits(ModelSpec other) {
        return spec.maxConcurrent() == other.maxConcurrent() && spec.maxQueued() == other.maxQueued();
    }

    /** Takes the new keep-alive, context size and path, keeping the queue (the limits are equal). */
    void refresh(ModelSpec other, Instant now) {
        spec = other;
        lastUsed = now;
    }

    GenerationQueue queue() {
        return queue;
    }

    void touch(Instant now) {
        lastUsed = now;
    }

    void track(UpstreamGeneration generation) {
        generations.add(generation);
    }

    void untrack(UpstreamGeneration generation) {
        generations.remove(generation);
    }

    /**
     * Unloaded: queued generations fail with ModelNotFound, running ones are cancelled. A queued one that the
     * cancellations hand a slot checks {@link #removed} before it sends, so it fails rather than runs.
     */
    void abandon() {
        removed = true;
        for (UpstreamGeneration generation : generations) {
            generation.abandon(new InferenceException.ModelNotFound(spec.id()));
        }
    }

    /** The engine stopped: every generation of the model fails with {@code why}. */
    void fail(InferenceException why) {
        for (UpstreamGeneration generation : generations) {
            generation.fail(why);
        }
    }

    ModelStatus status(boolean resident, Optional<Instant> evictAt) {
        return new ModelStatus(spec, resident, queue.running(), queue.queued(), lastUsed, evictAt);
    }
}
