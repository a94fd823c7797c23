package io.aixcl.state;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A stored inference key: everything but the key itself, of which only the SHA-256 hash is kept. {@code models} is
 * the allowlist of exact model ids, sorted; empty means every model.
 */
public record ApiKey(String id, String name, String sha256Hex, Instant created, Optional<Instant> expires,
                     Optional<Instant> revoked, Optional<Instant> lastUsed, KeyLimits limits, List<String> models) {
    public ApiKey {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(sha256Hex, "sha256Hex is null");
        Objects.requireNonNull(created, "created is null");
        Objects.requireNonNull(expires, "expires is null");
        Objects.requireNonNull(revoked, "revoked is null");
        Objects.requireNonNull(lastUsed, "lastUsed is null");
        Objects.requireNonNull(limits, "limits is null");
        Objects.requireNonNull(models, "models is null");
        models = models.stream().distinct().sorted().toList();
    }

    public sealed interface Standing permits Active, Expired, Revoked {}

    public record Active() implements Standing {}

    public record Expired(Instant at) implements Standing {}

    public record Revoked(Instant at) implements Standing {}

    /** Whether the key works at {@code now}; revocation wins over expiry, as the more deliberate fact. */
    public Standing standing(Instant now) {
        if (revoked.isPresent()) {
            return new Revoked(revoked.get());
        }
        if (expires.isPresent() && !now.isBefore(expires.get())) {
            return new Expired(expires.get());
        }
        return new Active();
    }

    public ApiKey withLastUsed(Instant at) {
        return new ApiKey(id, name, sha256Hex, created, expires, revoked, Optional.of(at), limits, models);
    }

    public ApiKey revokedAt(Instant at) {
        return new ApiKey(id, name, sha256Hex, created, expires, Optional.of(at), lastUsed, limits, models);
    }
}
