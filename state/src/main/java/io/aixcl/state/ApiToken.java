package io.aixcl.state;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** A stored control-plane token: everything but the token itself, of which only the SHA-256 hash is kept. */
public record ApiToken(String id, String name, TokenScope scope, String sha256Hex, Instant created,
                       Optional<Instant> expires, Optional<Instant> revoked, Optional<Instant> lastUsed) {
    public ApiToken {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(scope, "scope is null");
        Objects.requireNonNull(sha256Hex, "sha256Hex is null");
        Objects.requireNonNull(created, "created is null");
        Objects.requireNonNull(expires, "expires is null");
        Objects.requireNonNull(revoked, "revoked is null");
        Objects.requireNonNull(lastUsed, "lastUsed is null");
    }

    public sealed interface Standing permits Active, Expired, Revoked {}

    public record Active() implements Standing {}

    public record Expired(Instant at) implements Standing {}

    public record Revoked(Instant at) implements Standing {}

    /** Whether the token works at {@code now}; revocation wins over expiry, as the more deliberate fact. */
    public Standing standing(Instant now) {
        if (revoked.isPresent()) {
            return new Revoked(revoked.get());
        }
        if (expires.isPresent() && !now.isBefore(expires.get())) {
            return new Expired(expires.get());
        }
        return new Active();
    }
}
