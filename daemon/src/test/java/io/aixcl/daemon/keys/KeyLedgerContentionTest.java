package io.aixcl.daemon.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.inference.TokenUsage;
import io.aixcl.core.keys.KeyDecision;
import io.aixcl.state.KeyLimits;
import io.aixcl.state.StateDatabase;
import io.aixcl.state.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many threads against one key's small budget: reservations are atomic, so the budget is never exceeded. */
class KeyLedgerContentionTest {
    static final int THREADS = 64;
    static final long BUDGET = 1_000;

    @TempDir Path dir;
    StateStore store;
    KeyService keys;

    @BeforeEach
    void open() {
        store = StateStore.open(new StateDatabase.Sqlite(dir.resolve("state.db")));
        // A short flush interval, so flushes run concurrently with the settlements.
        keys = new KeyService(store::keys, InstantSource.system(), Duration.ofMillis(5));
    }

    @AfterEach
    void close() {
        keys.close();
        store.close();
    }

    /** Each thread asks, and settles with {@code used(reserved)}, until even one token is refused. */
    private long hammer(String key, java.util.function.LongUnaryOperator used) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Callable<long[]>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            workers.add(() -> {
                go.await();
                long granted = 0;
                long settled = 0;
                long reserve = 1 + ThreadLocalRandom.current().nextInt(20);
                while (true) {
                    KeyDecision d = keys.authorize(key, "m", reserve);
                    if (d instanceof KeyDecision.Granted g) {
                        long u = used.applyAsLong(reserve);
                        try (var r = g.reservation()) {
                            r.settle(new TokenUsage((int) (u / 2), (int) (u - u / 2)));
                        }
                        granted++;
                        settled += u;
                        reserve = 1 + ThreadLocalRandom.current().nextInt(20);
                    } else if (reserve > 1) {
                        reserve = 1; // a smaller request may still fit
                    } else {
                        assertThat(((KeyDecision.Refused) d).reason()).isEqualTo(KeyDecision.Reason.BUDGET_EXHAUSTED);
                        return new long[] {granted, settled};
                    }
                }
            });
        }
        long requests = 0;
        long settled = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<long[]>> results = new ArrayList<>();
            for (Callable<long[]> w : workers) {
                results.add(pool.submit(w));
            }
            go.countDown();
            for (Future<long[]> f : results) {
                requests += f.get()[0];
                settled += f.get()[1];
            }
        }
        keys.flush();
        var stored = store.keys().usage().values().iterator().next();
        assertThat(stored.requests()).isEqualTo(requests);
        assertThat(stored.totalTokens()).as("flushed usage equals what was settled").isEqualTo(settled);
        return settled;
    }

    private String budgetKey() {
        return keys.create(new KeyRequest("shared", List.of(), new KeyLimits(OptionalInt.empty(), OptionalInt.empty(),
                OptionalLong.of(BUDGET)), Optional.empty())).secret();
    }

    @Test
    void randomUsageBelowTheReservationNeverExceedsTheBudget() throws Exception {
        long settled = hammer(budgetKey(), reserved -> ThreadLocalRandom.current().nextLong(reserved + 1));

        assertThat(settled).isLessThanOrEqualTo(BUDGET).isGreaterThan(BUDGET / 2);
    }

    @Test
    void usageEqualToTheReservationSpendsTheBudgetExactly() throws Exception {
        long settled = hammer(budgetKey(), reserved -> reserved);

        assertThat(settled).isEqualTo(BUDGET);
    }
}
