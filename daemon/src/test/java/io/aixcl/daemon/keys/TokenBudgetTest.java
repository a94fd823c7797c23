package io.aixcl.daemon.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBudgetTest {

    @Test
    void aReservationThatDoesNotFitIsRefusedAndOneTokenMustBeLeft() {
        TokenBudget b = new TokenBudget(100, 40);

        assertThat(b.tryReserve(61)).isFalse();
        assertThat(b.tryReserve(60)).isTrue();
        assertThat(b.tryReserve(0)).as("nothing left").isFalse();
        b.adjust(-10);
        assertThat(b.tryReserve(0)).isTrue();
        assertThat(b.committed()).isEqualTo(90);
    }

    @Test
    void withoutALimitEverythingFitsAndNothingIsCounted() {
        TokenBudget b = new TokenBudget(0, 500);

        assertThat(b.tryReserve(Long.MAX_VALUE / 2)).isTrue();
        b.adjust(7);
        assertThat(b.committed()).isEqualTo(500);
    }

    /**
     * Tight loops from many threads, round after round, so that a check-then-add would be caught overspending:
     * what the threads hold together never exceeds the budget, and reservations that equal usage spend it all.
     */
    @Test
    void concurrentReservationsNeverTogetherExceedTheBudget() throws Exception {
        int threads = 16;
        for (int round = 0; round < 200; round++) {
            TokenBudget b = new TokenBudget(1_000, 0);
            AtomicLong granted = new AtomicLong();
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Thread> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                all.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    long n;
                    while (b.tryReserve(n = 1 + ThreadLocalRandom.current().nextInt(3)) || b.tryReserve(n = 1)) {
                        granted.addAndGet(n);
                    }
                }));
            }
            for (Thread t : all) {
                t.join();
            }
            assertThat(granted.get()).as("round " + round).isEqualTo(1_000);
            assertThat(b.committed()).isEqualTo(1_000);
        }
    }
}
