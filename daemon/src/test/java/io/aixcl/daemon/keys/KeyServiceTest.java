package io.aixcl.daemon.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import io.aixcl.core.inference.TokenUsage;
import io.aixcl.core.keys.KeyDecision;
import io.aixcl.core.keys.KeyDecision.Reason;
import io.aixcl.core.keys.Reservation;
import io.aixcl.state.KeyLimits;
import io.aixcl.state.KeyUsage;
import io.aixcl.state.StateDatabase;
import io.aixcl.state.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key service against a real SQLite state store, with a clock the test moves. */
class KeyServiceTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    /** Long enough that only the test's own flush() writes usage. */
    static final Duration NO_TIMED_FLUSH = Duration.ofHours(1);

    @TempDir Path dir;
    final AtomicLong now = new AtomicLong(T0.toEpochMilli());
    final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    StateStore store;
    KeyService keys;

    @BeforeEach
    void open() {
        store = StateStore.open(new StateDatabase.Sqlite(dir.resolve("state.db")));
        keys = new KeyService(store::keys, clock, NO_TIMED_FLUSH);
    }

    @AfterEach
    void close() {
        keys.close();
        store.close();
    }

    static KeyLimits limits(int rpm, int tpm, long budget) {
        return new KeyLimits(rpm == 0 ? OptionalInt.empty() : OptionalInt.of(rpm),
                tpm == 0 ? OptionalInt.empty() : OptionalInt.of(tpm),
                budget == 0 ? OptionalLong.empty() : OptionalLong.of(budget));
    }

    String create(String name, KeyLimits limits, List<String> models, Optional<Duration> lifetime) {
        return keys.create(new KeyRequest(name, models, limits, lifetime)).secret();
    }

    String create(String name, KeyLimits limits) {
        return create(name, limits, List.of(), Optional.empty());
    }

    static Reservation granted(KeyDecision d) {
        assertThat(d).isInstanceOf(KeyDecision.Granted.class);
        return ((KeyDecision.Granted) d).reservation();
    }

    static KeyDecision.Refused refused(KeyDecision d, Reason reason) {
        assertThat(d).isInstanceOfSatisfying(KeyDecision.Refused.class, r -> assertThat(r.reason()).isEqualTo(reason));
        return (KeyDecision.Refused) d;
    }

    @Test
    void aNewKeyIsBase62WithAPrefixAndOnlyItsHashIsStored() {
        KeyService.Issued issued = keys.create(new KeyRequest("app", List.of(), KeyLimits.NONE, Optional.empty()));

        assertThat(issued.secret()).matches("aixk_[0-9A-Za-z]{43}");
        assertThat(issued.key().sha256Hex()).isEqualTo(KeySecrets.sha256Hex(issued.secret()));
        assertThat(keys.list()).singleElement()
                .satisfies(k -> assertThat(k.toString()).doesNotContain(issued.secret().substring(5)));
        assertThat(KeySecrets.newKey()).isNotEqualTo(KeySecrets.newKey());
    }

    @Test
    void missingAndUnknownKeysAreRefusedWithoutNamingAnyKey() {
        String key = create("app", KeyLimits.NONE);

        assertThat(refused(keys.authorize("", "m", 0), Reason.MISSING).keyId()).isEmpty();
        assertThat(refused(keys.authorize(key + "x", "m", 0), Reason.UNKNOWN).keyId()).isEmpty();
        assertThat(refused(keys.authorize("aixcl_" + key.substring(5), "m", 0), Reason.UNKNOWN).message())
                .isEqualTo("unknown API key");
        granted(keys.authorize(key, "m", 0)).close();
    }

    @Test
    void aRevokedKeyIsRefusedFromTheNextRequestOn() {
        String key = create("app", KeyLimits.NONE);
        String id = granted(keys.authorize(key, "m", 10)).keyId();

        keys.revoke("app");

        KeyDecision.Refused r = refused(keys.authorize(key, "m", 10), Reason.REVOKED);
        assertThat(r.keyId()).contains(id);
        assertThat(r.message()).contains(id).contains("revoked at " + T0);
        assertThat(keys.allows(key, "m")).isFalse();
    }

    @Test
    void aKeyRevokedInTheDatabaseBeforeTheCacheLoadsIsRefused() {
        String key = create("app", KeyLimits.NONE);
        keys.revoke("app");
        keys.close();

        try (KeyService restarted = new KeyService(store::keys, clock, NO_TIMED_FLUSH)) {
            refused(restarted.authorize(key, "m", 0), Reason.REVOKED);
        }
    }

    @Test
    void anExpiredKeyIsRefused() {
        String key = create("app", KeyLimits.NONE, List.of(), Optional.of(Duration.ofMinutes(1)));
        now.addAndGet(59_999);
        granted(keys.authorize(key, "m", 0)).close();

        now.addAndGet(1);

        assertThat(refused(keys.authorize(key, "m", 0), Reason.EXPIRED).message())
                .contains("expired at " + T0.plusSeconds(60));
    }

    @Test
    void theAllowlistAdmitsExactlyItsModelsAndNoAllowlistAdmitsAll() {
        String some = create("some", KeyLimits.NONE, List.of("qwen2.5:0.5b", "llama3"), Optional.empty());
        String all = create("all", KeyLimits.NONE);

        granted(keys.authorize(some, "qwen2.5:0.5b", 0)).close();
        assertThat(refused(keys.authorize(some, "qwen2.5:0.5B", 0), Reason.MODEL_NOT_ALLOWED).message())
                .contains("may not use model 'qwen2.5:0.5B'").contains("llama3, qwen2.5:0.5b");
        granted(keys.authorize(all, "anything", 0)).close();
        assertThat(keys.allows(some, "llama3")).isTrue();
        assertThat(keys.allows(some, "llama3:8b")).isFalse();
        assertThat(keys.allows(all, "x")).isTrue();
        assertThat(keys.allows("aixk_nope", "x")).isFalse();
    }

    @Test
    void requestsPerMinuteAreLimitedWithARetryTime() {
        String key = create("app", limits(2, 0, 0));
        granted(keys.authorize(key, "m", 0)).close();
        granted(keys.authorize(key, "m", 0)).close();

        KeyDecision.Refused r = refused(keys.authorize(key, "m", 0), Reason.RATE_LIMITED);
        // Both were made at the minute's start: halfway into the next minute they weigh one.
        assertThat(r.retryAfter()).contains(Duration.ofSeconds(90));
        assertThat(r.keyId()).isPresent();

        now.addAndGet(89_999);
        refused(keys.authorize(key, "m", 0), Reason.RATE_LIMITED);
        now.addAndGet(1);
        granted(keys.authorize(key, "m", 0)).close();
    }

    @Test
    void tokensPerMinuteCountWhatWasSettledNotWhatWasReserved() {
        String key = create("app", limits(0, 1_000, 0));
        granted(keys.authorize(key, "m", 1_000)).settle(new TokenUsage(100, 100));

        granted(keys.authorize(key, "m", 800)).close();
        assertThat(refused(keys.authorize(key, "m", 801), Reason.TOKEN_RATE_LIMITED).retryAfter()).isPresent();
    }

    @Test
    void settleThenCloseCountsOnceAndCloseThenSettleCountsNothing() {
        String key = create("app", limits(0, 0, 100));
        Reservation a = granted(keys.authorize(key, "m", 60));
        a.settle(new TokenUsage(5, 5));
        a.close();
        a.settle(new TokenUsage(50, 0));

        Reservation b = granted(keys.authorize(key, "m", 60));
        b.close();
        b.settle(new TokenUsage(30, 30));
        b.close();

        granted(keys.authorize(key, "m", 90)).close();
        refused(keys.authorize(key, "m", 91), Reason.BUDGET_EXHAUSTED);
        keys.flush();
        KeyUsage u = store.keys().usage().get(a.keyId());
        assertThat(u.requests()).isEqualTo(1);
        assertThat(u.totalTokens()).isEqualTo(10);
    }

    @Test
    void anExhaustedBudgetRefusesEvenARequestThatReservesNothing() {
        String key = create("app", limits(0, 0, 10));
        granted(keys.authorize(key, "m", 10)).settle(new TokenUsage(4, 6));

        KeyDecision.Refused r = refused(keys.authorize(key, "m", 0), Reason.BUDGET_EXHAUSTED);

        assertThat(r.message()).contains("budget of 10 tokens (10 used or reserved");
        assertThat(r.retryAfter()).isEmpty();
    }

    @Test
    void usageIsWrittenOnlyWhenFlushedAndThenShowsInTheReport() {
        String key = create("app", limits(0, 0, 1_000));
        Reservation r = granted(keys.authorize(key, "m", 100));
        r.settle(new TokenUsage(30, 12));
        granted(keys.authorize(key, "m", 200)); // outstanding

        assertThat(store.keys().usage().get(r.keyId()).requests()).as("written behind, not yet").isZero();
        keys.flush();

        assertThat(store.keys().usage().get(r.keyId()))
                .isEqualTo(new KeyUsage(r.keyId(), 1, 30, 12, Optional.of(T0)));
        KeyService.Usage report = keys.usage(Optional.of("app")).getFirst();
        assertThat(report.settled().totalTokens()).isEqualTo(42);
        assertThat(report.budgetLeft()).hasValue(1_000 - 42 - 200);
        assertThat(keys.list().getFirst().lastUsed()).contains(T0);
    }

    @Test
    void theTimedFlushWritesUsageWithinItsInterval() throws Exception {
        try (KeyService timed = new KeyService(store::keys, clock, Duration.ofMillis(50))) {
            String key = timed.create(new KeyRequest("app", List.of(), KeyLimits.NONE, Optional.empty())).secret();
            Reservation r = granted(timed.authorize(key, "m", 10));
            r.settle(new TokenUsage(3, 4));

            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (store.keys().usage().get(r.keyId()).requests() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(store.keys().usage().get(r.keyId()).totalTokens()).isEqualTo(7);
        }
    }

    @Test
    void closingFlushesAndARestartedServiceStillCountsTheSpentBudget() {
        String key = create("app", limits(0, 0, 100));
        granted(keys.authorize(key, "m", 80)).settle(new TokenUsage(50, 20));
        keys.close();

        try (KeyService restarted = new KeyService(store::keys, clock, NO_TIMED_FLUSH)) {
            refused(restarted.authorize(key, "m", 31), Reason.BUDGET_EXHAUSTED);
            granted(restarted.authorize(key, "m", 30)).settle(new TokenUsage(30, 0));
            refused(restarted.authorize(key, "m", 0), Reason.BUDGET_EXHAUSTED);
        }
        assertThat(store.keys().usage().values()).singleElement()
                .satisfies(u -> assertThat(u.totalTokens()).isEqualTo(100));
    }

    @Test
    void aFailedFlushKeepsTheUsageForTheNextOne() {
        String key = create("app", KeyLimits.NONE);
        granted(keys.authorize(key, "m", 10)).settle(new TokenUsage(1, 2));
        boolean[] broken = {true};
        KeyService flaky = new KeyService(() -> {
            if (broken[0]) {
                throw new AixclException.Failed("state database: disk I/O error", null);
            }
            return store.keys();
        }, clock, NO_TIMED_FLUSH);
        broken[0] = false;
        String other = flaky.create(new KeyRequest("other", List.of(), KeyLimits.NONE, Optional.empty())).secret();
        Reservation r = granted(flaky.authorize(other, "m", 10));
        r.settle(new TokenUsage(2, 3));

        broken[0] = true;
        assertThatThrownBy(flaky::flush).hasMessageContaining("disk I/O error");
        broken[0] = false;
        flaky.close();

        assertThat(store.keys().usage().get(r.keyId()).totalTokens()).isEqualTo(5);
    }

    @Test
    void invalidNamesAndModelIdsAreRefusedPrecisely() {
        assertThatThrownBy(() -> create("-x", KeyLimits.NONE)).isInstanceOf(AixclException.InvalidInput.class)
                .hasMessageContaining("invalid key name '-x'");
        assertThatThrownBy(() -> create("ok", KeyLimits.NONE, List.of("has space"), Optional.empty()))
                .isInstanceOf(AixclException.InvalidInput.class).hasMessageContaining("invalid model id 'has space'");
        assertThatThrownBy(() -> keys.revoke("nope")).isInstanceOf(AixclException.NotFound.class)
                .hasMessageContaining("no key with id or name 'nope'");
        assertThatThrownBy(() -> keys.usage(Optional.of("nope"))).isInstanceOf(AixclException.NotFound.class);
    }
}
