package io.aixcl.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The same repository tests on every state backend: each subclass opens a fresh, empty database. */
abstract class ApiTokensContract {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private StateStore store;
    private int serial;

    abstract StateStore openEmpty() throws Exception;

    /** Opens the same database again, as a restarted daemon would. */
    abstract StateStore reopen() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = openEmpty();
    }

    @AfterEach
    void close() {
        store.close();
    }

    ApiToken token(String name, TokenScope scope, Optional<Instant> expires) {
        serial++;
        String hash = HexFormat.of().formatHex(new byte[32]).substring(4) + String.format("%04x", serial);
        return new ApiToken("tok_" + name + serial, name, scope, hash, T0, expires, Optional.empty(), Optional.empty());
    }

    @Test
    void migrationsBringAnEmptyDatabaseToTheLatestSchema() {
        assertThat(store.schemaVersion()).isEqualTo("2");
    }

    @Test
    void reopeningAMigratedDatabaseKeepsItsRows() throws Exception {
        store.tokens().insert(token("ci", TokenScope.READ, Optional.empty()));
        try (StateStore again = reopen()) {
            assertThat(again.schemaVersion()).isEqualTo("2");
            assertThat(again.tokens().list()).extracting(ApiToken::name).containsExactly("ci");
        }
    }

    @Test
    void aStoredTokenIsFoundByItsHashWithEveryField() {
        ApiToken t = token("laptop", TokenScope.OPERATE, Optional.of(T0.plus(Duration.ofDays(30))));
        store.tokens().insert(t);

        assertThat(store.tokens().findBySha256(t.sha256Hex())).contains(t);
        assertThat(store.tokens().findBySha256("0".repeat(64))).isEmpty();
    }

    @Test
    void aSecondTokenInForceWithTheSameNameIsAConflict() {
        store.tokens().insert(token("ci", TokenScope.READ, Optional.empty()));

        assertThatThrownBy(() -> store.tokens().insert(token("ci", TokenScope.ADMIN, Optional.empty())))
                .isInstanceOf(AixclException.Conflict.class).hasMessageContaining("'ci' is in force");
        assertThat(store.tokens().list()).hasSize(1);
    }

    @Test
    void aRevokedTokensNameCanBeReused() {
        ApiToken first = store.tokens().insert(token("ci", TokenScope.READ, Optional.empty()));
        store.tokens().revoke("ci", T0.plusSeconds(5));

        ApiToken second = store.tokens().insert(token("ci", TokenScope.ADMIN, Optional.empty()));

        assertThat(store.tokens().list()).extracting(ApiToken::id).containsExactly(first.id(), second.id());
    }

    @Test
    void revokingByNameOrIdStampsTheTimeAndTheTokenStopsStanding() {
        ApiToken a = store.tokens().insert(token("a", TokenScope.READ, Optional.empty()));
        ApiToken b = store.tokens().insert(token("b", TokenScope.READ, Optional.empty()));

        store.tokens().revoke("a", T0.plusSeconds(1));
        store.tokens().revoke(b.id(), T0.plusSeconds(2));

        assertThat(store.tokens().findBySha256(a.sha256Hex()).orElseThrow().standing(T0.plusSeconds(3)))
                .isEqualTo(new ApiToken.Revoked(T0.plusSeconds(1)));
        assertThat(store.tokens().findBySha256(b.sha256Hex()).orElseThrow().revoked()).contains(T0.plusSeconds(2));
    }

    @Test
    void revokingTwiceKeepsTheFirstRevocationTime() {
        ApiToken a = store.tokens().insert(token("a", TokenScope.READ, Optional.empty()));
        store.tokens().revoke(a.id(), T0.plusSeconds(1));

        assertThat(store.tokens().revoke(a.id(), T0.plusSeconds(9)).revoked()).contains(T0.plusSeconds(1));
    }

    @Test
    void revokingAnUnknownTokenIsNotFound() {
        assertThatThrownBy(() -> store.tokens().revoke("nope", T0)).isInstanceOf(AixclException.NotFound.class)
                .hasMessageContaining("no token with id or name 'nope'");
    }

    @Test
    void lastUseIsRecordedAtMostOncePerMinute() {
        ApiToken a = store.tokens().insert(token("a", TokenScope.READ, Optional.empty()));

        store.tokens().markUsed(a.id(), T0.plusSeconds(10));
        store.tokens().markUsed(a.id(), T0.plusSeconds(20));
        assertThat(store.tokens().findBySha256(a.sha256Hex()).orElseThrow().lastUsed()).contains(T0.plusSeconds(10));

        store.tokens().markUsed(a.id(), T0.plusSeconds(75));
        assertThat(store.tokens().findBySha256(a.sha256Hex()).orElseThrow().lastUsed()).contains(T0.plusSeconds(75));
    }

    @Test
    void concurrentInsertsOfOneNameLeaveExactlyOneTokenInForce() throws Exception {
        List<Callable<Boolean>> attempts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ApiToken t = token("race", TokenScope.READ, Optional.empty());
            attempts.add(() -> {
                try {
                    store.tokens().insert(t);
                    return true;
                } catch (AixclException.Conflict e) {
                    return false;
                }
            });
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Boolean>> results = pool.invokeAll(attempts);
            long won = 0;
            for (Future<Boolean> f : results) {
                won += f.get() ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
        }
        assertThat(store.tokens().list()).hasSize(1);
    }
}
