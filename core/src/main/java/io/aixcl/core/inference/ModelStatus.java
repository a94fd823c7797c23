package io.aixcl.core.inference;

import java.time.Instant;
import java.util.Optional;

/**
 * A registered model as the engine sees it now, for {@code /api/ps} and {@code stack status}.
 *
 * @param lastUsed when its last generation ended (or it was loaded)
 * @param evictAt when it will leave memory if nothing uses it; empty when not resident or kept forever
 */
public record ModelStatus(
        ModelSpec spec, boolean resident, int running, int queued, Instant lastUsed, Optional<Instant> evictAt) {

    public String id() {
        return spec.id();
    }
}
