package io.aixcl.state;

import java.time.Instant;
import java.util.Objects;

/** Usage settled since the last flush, to add to a key's totals; {@code at} is the latest settlement. */
public record UsageDelta(String keyId, long requests, long promptTokens, long completionTokens, Instant at) {
    public UsageDelta {
        Objects.requireNonNull(keyId, "keyId is null");
        Objects.requireNonNull(at, "at is null");
        if (requests < 0 || promptTokens < 0 || completionTokens < 0) {
            throw new IllegalArgumentException("negative usage for key " + keyId);
        }
    }
}
