package io.aixcl.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The inference keys repository on every state backend: each subclass opens a fresh, empty database. */
abstract class ApiKeysContract {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    static final KeyLimits LIMITS = new KeyLimits(OptionalInt.of(60), OptionalInt.of(10_000), OptionalLong.of(1_000_000));

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

    ApiKey key(String name, KeyLimits limits, List<String> models, Optional<Instant> expires) {
        serial++;
        String hash = "ab".repeat(30) + String.format("%04x", serial);
        return new ApiKey("key_" + name + serial, name, hash, T0, expires, Optional.empty(), Optional.empty(), limits,
                models);
    }

    ApiKey key(String name) {
        return key(name, KeyLimits.NONE, List.of(), Optional.empty());
    }

    @Test
    void aStoredKeyIsFoundByItsHashWithItsLimitsAndAllowlist() {
        ApiKey k = key("app", LIMITS, List.of("qwen2.5:0.5b", "llama3:8b"), Optional.of(T0.plus(Duration.ofDays(1))));
        store.keys().insert(k);

        ApiKey found = store.keys().findBySha256(k.sha256Hex()).orElseThrow();
        assertThat(found).isEqualTo(k);
        assertThat(found.models()).containsExactly("llama3:8b", "qwen2.5:0.5b");
        assertThat(found.limits()).isEqualTo(LIMITS);
        assertThat(store.keys().findBySha256("0".repeat(64))).isEmpty();
    }

    @Test
    void aKeyWithoutLimitsOrAllowlistReadsBackEmpty() {
        ApiKey k = store.keys().insert(key("open"));

        ApiKey found = store.keys().list().getFirst();
        assertThat(found.limits()).isEqualTo(KeyLimits.NONE);
        assertThat(found.models()).isEmpty();
        assertThat(found).isEqualTo(k);
    }

    @Test
    void onlyAKeyInForceIsFoundActive() {
        ApiKey expiring = store.keys().insert(key("soon", KeyLimits.NONE, List.of(), Optional.of(T0.plusSeconds(60))));
        ApiKey revoked = store.keys().insert(key("gone"));
        store.keys().revoke("gone", T0.plusSeconds(1));

        assertThat(store.keys().findActiveBySha256(expiring.sha256Hex(), T0.plusSeconds(59))).isPresent();
        assertThat(store.keys().findActiveBySha256(expiring.sha256Hex(), T0.plusSeconds(60))).isEmpty();
        assertThat(store.keys().findActiveBySha256(revoked.sha256Hex(), T0.plusSeconds(2))).isEmpty();
        assertThat(store.keys().findBySha256(revoked.sha256Hex()).orElseThrow().standing(T0.plusSeconds(2)))
                .isEqualTo(new ApiKey.Revoked(T0.plusSeconds(1)));
    }

    @Test
    void aSecondKeyInForceWithTheSameNameIsAConflictAndLeavesNoAllowlistBehind() {
        store.keys().insert(key("app"));

        assertThatThrownBy(() -> store.keys().insert(key("app", KeyLimits.NONE, List.of("m"), Optional.empty())))
                .isInstanceOf(AixclException.Conflict.class).hasMessageContaining("a key named 'app' is in force");
        assertThat(store.keys().list()).singleElement().satisfies(k -> assertThat(k.models()).isEmpty());
    }

    @Test
    void revokingByNameOrIdStampsTheTimeOnceAndFreesTheName() {
        ApiKey a = store.keys().insert(key("a"));
        ApiKey b = store.keys().insert(key("b"));

        assertThat(store.keys().revoke("a", T0.plusSeconds(1)).revoked()).contains(T0.plusSeconds(1));
        assertThat(store.keys().revoke(b.id(), T0.plusSeconds(2)).revoked()).contains(T0.plusSeconds(2));
        assertThat(store.keys().revoke(a.id(), T0.plusSeconds(9)).revoked()).contains(T0.plusSeconds(1));

        ApiKey again = store.keys().insert(key("a"));
        assertThat(store.keys().list()).extracting(ApiKey::id).containsExactlyInAnyOrder(a.id(), b.id(), again.id());
    }

    @Test
    void revokingAnUnknownKeyIsNotFound() {
        assertThatThrownBy(() -> store.keys().revoke("nope", T0)).isInstanceOf(AixclException.NotFound.class)
                .hasMessageContaining("no key with id or name 'nope'");
    }

    @Test
    void aKeyNeverUsedHasZeroUsage() {
        ApiKey a = store.keys().insert(key("a"));

        assertThat(store.keys().usage()).containsEntry(a.id(), new KeyUsage(a.id(), 0, 0, 0, Optional.empty()));
    }

    @Test
    void usageAddsUpAndMovesLastUseForwardOnly() {
        ApiKey a = store.keys().insert(key("a"));
        ApiKey b = store.keys().insert(key("b"));

        store.keys().addUsage(List.of(new UsageDelta(a.id(), 2, 10, 20, T0.plusSeconds(5)),
                new UsageDelta(b.id(), 1, 1, 1, T0.plusSeconds(5))));
        store.keys().addUsage(List.of(new UsageDelta(a.id(), 3, 100, 200, T0.plusSeconds(3))));

        assertThat(store.keys().usage().get(a.id()))
                .isEqualTo(new KeyUsage(a.id(), 5, 110, 220, Optional.of(T0.plusSeconds(3))));
        assertThat(store.keys().usage().get(b.id()).totalTokens()).isEqualTo(2);
        assertThat(store.keys().findBySha256(a.sha256Hex()).orElseThrow().lastUsed()).contains(T0.plusSeconds(5));
    }

    @Test
    void usageForAKeyThatIsNotStoredIsRefusedAndAddsNothing() {
        ApiKey a = store.keys().insert(key("a"));

        assertThatThrownBy(() -> store.keys().addUsage(List.of(new UsageDelta(a.id(), 1, 1, 1, T0),
                new UsageDelta("key_missing", 1, 1, 1, T0)))).isInstanceOf(AixclException.NotFound.class);
        assertThat(store.keys().usage().get(a.id()).requests()).isZero();
    }

    @Test
    void concurrentUsageFlushesNeverLoseACount() throws Exception {
        ApiKey a = store.keys().insert(key("a"));
        List<Callable<Void>> writers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            writers.add(() -> {
                for (int j = 0; j < 25; j++) {
                    store.keys().addUsage(List.of(new UsageDelta(a.id(), 1, 2, 3, T0)));
                }
                return null;
            });
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (var f : pool.invokeAll(writers)) {
                f.get();
            }
        }
        assertThat(store.keys().usage().get(a.id())).isEqualTo(new KeyUsage(a.id(), 200, 400, 600, Optional.of(T0)));
    }

    @Test
    void keysAndUsageSurviveAReopen() throws Exception {
        ApiKey a = store.keys().insert(key("a", LIMITS, List.of("m1"), Optional.empty()));
        store.keys().addUsage(List.of(new UsageDelta(a.id(), 1, 7, 8, T0)));

        try (StateStore again = reopen()) {
            assertThat(again.keys().list()).containsExactly(a.withLastUsed(T0));
            assertThat(again.keys().usage().get(a.id()).totalTokens()).isEqualTo(15);
        }
    }
}
