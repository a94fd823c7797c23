package io.aixcl.daemon.keys;

import io.aixcl.api.Keys;
import io.aixcl.core.AixclException;
import io.aixcl.daemon.http.Exchange;
import io.aixcl.daemon.http.Router;
import io.aixcl.daemon.tokens.TokenLifetime;
import io.aixcl.state.ApiKey;
import io.aixcl.state.KeyLimits;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * {@code /v1/keys}: create (the key shown once), list and usage (never the key), revoke. Create and revoke are POSTs
 * through {@link Router#post}, so they are in the audit log before they are acknowledged; the audit entry holds the
 * request's fields, and no request carries a key (one pasted by mistake, say as the key to revoke, is scrubbed).
 */
public final class KeyRoutes {
    private final KeyService keys;

    public KeyRoutes(KeyService keys) {
        this.keys = Objects.requireNonNull(keys, "keys is null");
    }

    public void register(Router r) {
        r.get(Keys.PATH, ex -> ex.ok(keys.list().stream().map(KeyRoutes::info).toList()));
        r.post(Keys.PATH, this::create);
        r.post(Keys.REVOKE, ex -> ex.ok(info(keys.revoke(ex.pathParam("ref")))));
        r.get(Keys.USAGE, ex -> ex.ok(keys.usage(Optional.ofNullable(ex.query("key")).filter(s -> !s.isBlank()))
                .stream().map(KeyRoutes::usage).toList()));
    }

    private void create(Exchange ex) throws Exception {
        Keys.CreateRequest req = ex.body(Keys.CreateRequest.class);
        KeyLimits limits = new KeyLimits(positive("rpm", req.rpm()), positive("tpm", req.tpm()),
                req.budget() == null ? OptionalLong.empty() : OptionalLong.of(positive("budget", req.budget())));
        var lifetime = Optional.ofNullable(req.expires()).filter(s -> !s.isBlank()).map(TokenLifetime::parse);
        KeyService.Issued issued = keys.create(new KeyRequest(req.name(),
                req.models() == null ? List.of() : req.models(), limits, lifetime));
        // The one answer that carries the key, so it skips the scrubbing that removes any key by its shape from
        // every other answer, log line and audit entry (Redactor); it is audited before it leaves, without the key.
        ex.revealingSecret(201, new Keys.Created(info(issued.key()), issued.secret()));
    }

    private static OptionalInt positive(String field, Integer v) {
        return v == null ? OptionalInt.empty() : OptionalInt.of((int) positive(field, (long) v));
    }

    private static long positive(String field, long v) {
        if (v <= 0) {
            throw new AixclException.InvalidInput(field + " must be a positive number, got " + v
                    + " (leave it out for no limit)");
        }
        return v;
    }

    static String state(ApiKey k) {
        return switch (k.standing(Instant.now())) {
            case ApiKey.Active a -> "active";
            case ApiKey.Expired e -> "expired";
            case ApiKey.Revoked r -> "revoked";
        };
    }

    static Keys.KeyInfo info(ApiKey k) {
        return new Keys.KeyInfo(k.id(), k.name(), state(k), k.models(), boxed(k.limits().requestsPerMinute()),
                boxed(k.limits().tokensPerMinute()), k.limits().budgetTokens().isPresent()
                        ? k.limits().budgetTokens().getAsLong() : null, k.created().toString(),
                time(k.expires()), time(k.revoked()), time(k.lastUsed()));
    }

    static Keys.Usage usage(KeyService.Usage u) {
        ApiKey k = u.key();
        return new Keys.Usage(k.id(), k.name(), state(k), u.settled().requests(), u.settled().promptTokens(),
                u.settled().completionTokens(), k.limits().budgetTokens().isPresent()
                        ? k.limits().budgetTokens().getAsLong() : null,
                u.budgetLeft().isPresent() ? u.budgetLeft().getAsLong() : null, time(k.lastUsed()));
    }

    private static Integer boxed(OptionalInt v) {
        return v.isPresent() ? v.getAsInt() : null;
    }

    private static String time(Optional<Instant> t) {
        return t.map(Instant::toString).orElse(null);
    }
}
