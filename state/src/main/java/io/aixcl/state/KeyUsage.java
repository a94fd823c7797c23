package io.aixcl.state;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** A key's settled usage as stored: running totals, and when they last changed (empty: never used). */
public record KeyUsage(String keyId, long requests, long promptTokens, long completionTokens,
                       Optional<Instant> updated) {
    public KeyUsage {
        Objects.requireNonNull(keyId, "keyId is null");
        Objects.requireNonNull(updated, "updated is null");
    }

    public static KeyUsage none(String keyId) {
        return new KeyUsage(keyId, 0, 0, 0, Optional.empty());
    }

    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
