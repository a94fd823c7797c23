package io.aixcl.daemon.tokens;

import io.aixcl.core.AixclException;
import io.aixcl.state.ApiToken;
import io.aixcl.state.ApiTokens;
import io.aixcl.state.TokenScope;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** Issues, checks and revokes control-plane tokens. Only hashes are stored; a token is shown once, at creation. */
public final class TokenService {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Supplier<ApiTokens> tokens;
    private final InstantSource clock;

    /** {@code tokens} is asked for at first use, so a daemon that never sees a token never opens the database. */
    public TokenService(Supplier<ApiTokens> tokens, InstantSource clock) {
        this.tokens = Objects.requireNonNull(tokens, "tokens is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    public record Issued(ApiToken token, String secret) {}

    public sealed interface Verdict permits Authenticated, Rejected {}

    public record Authenticated(ApiToken token) implements Verdict {}

    /** Why a presented token does not hold; the token's id when it names a real (expired or revoked) token. */
    public record Rejected(String reason, Optional<String> tokenId) implements Verdict {}

    public Issued create(String name, TokenScope scope, Optional<Duration> lifetime) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new AixclException.InvalidInput("invalid token name '" + name + "': expected letters, digits, "
                    + "'.', '_' or '-', starting with a letter or digit, at most 64 characters");
        }
        Objects.requireNonNull(scope, "scope is null");
        Instant now = clock.instant();
        String secret = TokenSecrets.newToken();
        ApiToken token = new ApiToken(TokenSecrets.newId(), name, scope,
                HexFormat.of().formatHex(TokenSecrets.sha256(secret)), now, lifetime.map(now::plus),
                Optional.empty(), Optional.empty());
        return new Issued(tokens.get().insert(token), secret);
    }

    public List<ApiToken> list() {
        return tokens.get().list();
    }

    public ApiToken revoke(String idOrName) {
        return tokens.get().revoke(idOrName, clock.instant());
    }

    /** Checks a presented bearer token: known by its hash, compared in constant time, neither expired nor revoked. */
    public Verdict authenticate(Optional<String> presented) {
        if (presented.isEmpty() || presented.get().isBlank()) {
            return new Rejected("no bearer token", Optional.empty());
        }
        byte[] hash = TokenSecrets.sha256(presented.get());
        Optional<ApiToken> found = tokens.get().findBySha256(HexFormat.of().formatHex(hash));
        // The lookup is by hash, so its timing says nothing useful about the token; the comparison is constant-time
        // anyway, so that no lookup quirk (case, padding) ever lets a different token through.
        if (found.isEmpty() || !MessageDigest.isEqual(HexFormat.of().parseHex(found.get().sha256Hex()), hash)) {
            return new Rejected("unknown token", Optional.empty());
        }
        ApiToken token = found.get();
        Instant now = clock.instant();
        return switch (token.standing(now)) {
            case ApiToken.Revoked r -> new Rejected("token " + token.id() + " was revoked at " + r.at(),
                    Optional.of(token.id()));
            case ApiToken.Expired e -> new Rejected("token " + token.id() + " expired at " + e.at(),
                    Optional.of(token.id()));
            case ApiToken.Active a -> {
                tokens.get().markUsed(token.id(), now);
                yield new Authenticated(token);
            }
        };
    }
}
