package io.aixcl.models;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: retry n waits a random time between half and all of min(max, base * 2^(n-1)),
 * so clients retrying a struggling server spread out instead of arriving together, yet the wait still grows. {@code maxAttempts} counts
 * consecutive failures that made no progress; a connection that delivered bytes before failing resets the count.
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(6, Duration.ofMillis(500), Duration.ofSeconds(30));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /** The wait before retry number {@code attempt} (1-based). */
    Duration delay(int attempt) {
        long base = Math.max(1, baseDelay.toMillis());
        long cap = Math.max(base, maxDelay.toMillis());
        long ceiling = attempt >= 30 ? cap : Math.min(cap, base << Math.min(attempt - 1, 30));
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
    }
}
