package io.aixcl.daemon.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import io.aixcl.state.StateDatabase;
import io.aixcl.state.StateStore;
import io.aixcl.state.TokenScope;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenServiceTest {
    @TempDir Path dir;
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T10:00:00Z"));
    private StateStore store;
    private TokenService tokens;

    @BeforeEach
    void open() {
        store = StateStore.open(new StateDatabase.Sqlite(dir.resolve("state.db")));
        tokens = new TokenService(store::tokens, now::get);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aNewTokenIsHighEntropyAndOnlyItsHashIsStored() {
        TokenService.Issued issued = tokens.create("ci", TokenScope.READ, Optional.empty());

        assertThat(issued.secret()).startsWith("aixcl_").hasSize("aixcl_".length() + 43);
        assertThat(issued.token().sha256Hex())
                .isEqualTo(HexFormat.of().formatHex(TokenSecrets.sha256(issued.secret())))
                .doesNotContain(issued.secret().substring(6));
        assertThat(tokens.list()).singleElement().satisfies(t -> assertThat(t.toString()).doesNotContain(issued.secret()));
    }

    @Test
    void theIssuedTokenAuthenticatesWithItsScope() {
        TokenService.Issued issued = tokens.create("ops", TokenScope.OPERATE, Optional.empty());

        assertThat(tokens.authenticate(Optional.of(issued.secret())))
                .isInstanceOfSatisfying(TokenService.Authenticated.class,
                        a -> assertThat(a.token().scope()).isEqualTo(TokenScope.OPERATE));
    }

    @Test
    void missingAndUnknownTokensAreRejectedWithoutNamingAnyToken() {
        tokens.create("ci", TokenScope.READ, Optional.empty());

        assertThat(tokens.authenticate(Optional.empty()))
                .isEqualTo(new TokenService.Rejected("no bearer token", Optional.empty()));
        assertThat(tokens.authenticate(Optional.of("aixcl_guess")))
                .isEqualTo(new TokenService.Rejected("unknown token", Optional.empty()));
    }

    @Test
    void anExpiredTokenIsRejectedFromItsExpiryOn() {
        TokenService.Issued issued = tokens.create("short", TokenScope.ADMIN, Optional.of(Duration.ofMinutes(5)));

        now.set(now.get().plus(Duration.ofMinutes(5)));

        assertThat(tokens.authenticate(Optional.of(issued.secret())))
                .isInstanceOfSatisfying(TokenService.Rejected.class, r -> {
                    assertThat(r.reason()).contains("expired");
                    assertThat(r.tokenId()).contains(issued.token().id());
                });
    }

    @Test
    void aRevokedTokenIsRejectedAtOnce() {
        TokenService.Issued issued = tokens.create("laptop", TokenScope.ADMIN, Optional.empty());
        tokens.revoke("laptop");

        assertThat(tokens.authenticate(Optional.of(issued.secret())))
                .isInstanceOfSatisfying(TokenService.Rejected.class, r -> assertThat(r.reason()).contains("revoked"));
    }

    @Test
    void namesAndLifetimesAreValidated() {
        assertThatThrownBy(() -> tokens.create("../x", TokenScope.READ, Optional.empty()))
                .isInstanceOf(AixclException.InvalidInput.class).hasMessageContaining("invalid token name");
        assertThat(TokenLifetime.parse("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(TokenLifetime.parse("12h")).isEqualTo(Duration.ofHours(12));
        assertThatThrownBy(() -> TokenLifetime.parse("0d")).hasMessageContaining("more than zero");
        assertThatThrownBy(() -> TokenLifetime.parse("1y")).hasMessageContaining("e.g. 30d");
    }
}
