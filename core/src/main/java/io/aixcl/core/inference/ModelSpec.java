package io.aixcl.core.inference;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A model as an engine loads it. {@code maxConcurrent} generations run at once (each gets its own context of
 * {@code contextTokens}); up to {@code maxQueued} more wait; beyond that a request is refused as busy.
 *
 * @param keepAlive how long the model stays in memory after its last generation; {@link #KEEP_FOREVER} never
 *     evicts, {@link Duration#ZERO} evicts as soon as it idles
 */
public record ModelSpec(String id, Path path, Duration keepAlive, int contextTokens, int maxConcurrent, int maxQueued) {

    public static final Duration KEEP_FOREVER = Duration.ofSeconds(Long.MAX_VALUE);
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofMinutes(5);

    public ModelSpec {
        requireNonNull(id, "id is null");
        requireNonNull(path, "path is null");
        requireNonNull(keepAlive, "keepAlive is null");
        if (id.isBlank() || id.length() > 256 || id.chars().anyMatch(Character::isISOControl)) {
            throw new InferenceException.InvalidRequest("invalid model id: '" + id + "'");
        }
        if (keepAlive.isNegative()) {
            throw new InferenceException.InvalidRequest("keep-alive must not be negative: " + keepAlive);
        }
        if (contextTokens < 16 || contextTokens > 1 << 20) {
            throw new InferenceException.InvalidRequest("context size out of range [16, 1048576]: " + contextTokens);
        }
        if (maxConcurrent < 1 || maxConcurrent > 64) {
            throw new InferenceException.InvalidRequest("concurrency limit out of range [1, 64]: " + maxConcurrent);
        }
        if (maxQueued < 0 || maxQueued > 10_000) {
            throw new InferenceException.InvalidRequest("queue limit out of range [0, 10000]: " + maxQueued);
        }
    }

    /** A spec with the defaults: 5 minutes keep-alive, 2048 tokens of context, 1 running, 8 queued. */
    public static ModelSpec of(String id, Path path) {
        return new ModelSpec(id, path, DEFAULT_KEEP_ALIVE, 2048, 1, 8);
    }

    public ModelSpec withKeepAlive(Duration value) {
        return new ModelSpec(id, path, value, contextTokens, maxConcurrent, maxQueued);
    }

    public ModelSpec withContextTokens(int value) {
        return new ModelSpec(id, path, keepAlive, value, maxConcurrent, maxQueued);
    }

    public ModelSpec withLimits(int concurrent, int queued) {
        return new ModelSpec(id, path, keepAlive, contextTokens, concurrent, queued);
    }

    /** Whether a model loaded under this spec can serve {@code other} without a reload. */
    public boolean sameResidentShape(ModelSpec other) {
        return path.equals(other.path) && contextTokens == other.contextTokens && maxConcurrent == other.maxConcurrent;
    }
}
