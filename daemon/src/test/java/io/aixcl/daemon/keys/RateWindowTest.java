package io.aixcl.daemon.keys;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.keys.KeyDecision.Reason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateWindowTest {
    static final long MINUTE = RateWindow.WINDOW_MILLIS;
    /** A window start, so elapsed time within a window is plain to read. */
    static final long T0 = 1_000 * MINUTE;

    private static RateWindow.Limited limited(RateWindow.Outcome o) {
        assertThat(o).isInstanceOf(RateWindow.Limited.class);
        return (RateWindow.Limited) o;
    }

    @Test
    void requestsBeyondTheLimitAreRefusedWithWhenToRetry() {
        RateWindow w = new RateWindow(3, 0);
        for (int i = 0; i < 3; i++) {
            assertThat(w.tryTake(T0 + i, 0)).isInstanceOf(RateWindow.Admitted.class);
        }

        RateWindow.Limited l = limited(w.tryTake(T0 + 10, 0));

        assertThat(l.reason()).isEqualTo(Reason.RATE_LIMITED);
        assertThat(l.message()).contains("limit of 3 requests per minute");
        // All three slide out of the estimate only as the next window passes: 20 s into it, 3 × 40/60 + 1 = 3.
        assertThat(l.retryAfter()).contains(Duration.ofSeconds(80));
    }

    @Test
    void theWindowSlidesSoAMinuteBoundaryGivesNoSecondBurst() {
        RateWindow w = new RateWindow(3, 0);
        for (int i = 0; i < 3; i++) {
            w.tryTake(T0 + 59_000, 0);
        }

        assertThat(w.tryTake(T0 + MINUTE, 0)).as("a fixed window would allow this").isInstanceOf(RateWindow.Limited.class);
        RateWindow.Limited l = limited(w.tryTake(T0 + MINUTE + 1_000, 0));
        assertThat(l.retryAfter()).contains(Duration.ofSeconds(19));
        assertThat(w.tryTake(T0 + MINUTE + 19_999, 0)).isInstanceOf(RateWindow.Limited.class);
        assertThat(w.tryTake(T0 + MINUTE + 20_000, 0)).isInstanceOf(RateWindow.Admitted.class);
    }

    @Test
    void aFullCurrentWindowWaitsForTheNextOne() {
        RateWindow w = new RateWindow(2, 0);
        w.tryTake(T0 + 30_000, 0);
        w.tryTake(T0 + 30_000, 0);

        assertThat(limited(w.tryTake(T0 + 30_000, 0)).retryAfter()).contains(Duration.ofSeconds(60));
        assertThat(w.tryTake(T0 + 89_999, 0)).isInstanceOf(RateWindow.Limited.class);
        assertThat(w.tryTake(T0 + 90_000, 0)).isInstanceOf(RateWindow.Admitted.class);
    }

    @Test
    void aRequestOverTheTokenLimitOnItsOwnIsRefusedWithoutARetryTime() {
        RateWindow.Limited l = limited(new RateWindow(0, 100).tryTake(T0, 101));

        assertThat(l.reason()).isEqualTo(Reason.TOKEN_RATE_LIMITED);
        assertThat(l.retryAfter()).isEmpty();
        assertThat(l.message()).contains("reserves 101 tokens, more than the key's limit of 100 tokens per minute");
    }

    @Test
    void tokensGivenBackAtSettlementCanBeReservedAgain() {
        RateWindow w = new RateWindow(0, 100);
        long window = ((RateWindow.Admitted) w.tryTake(T0, 100)).window();
        assertThat(limited(w.tryTake(T0 + 1, 80)).reason()).isEqualTo(Reason.TOKEN_RATE_LIMITED);

        w.adjust(window, 0, -80);

        assertThat(w.tryTake(T0 + 2, 80)).isInstanceOf(RateWindow.Admitted.class);
        assertThat(w.tryTake(T0 + 3, 1)).isInstanceOf(RateWindow.Limited.class);
    }

    @Test
    void aRequestRefusedByOneLimitTakesNothingFromTheOther() {
        RateWindow w = new RateWindow(2, 100);
        long window = ((RateWindow.Admitted) w.tryTake(T0, 100)).window();
        assertThat(limited(w.tryTake(T0, 50)).reason()).isEqualTo(Reason.TOKEN_RATE_LIMITED);

        w.adjust(window, 0, -100);

        assertThat(w.tryTake(T0, 50)).as("the refused request took no request slot").isInstanceOf(RateWindow.Admitted.class);
        assertThat(limited(w.tryTake(T0, 0)).reason()).isEqualTo(Reason.RATE_LIMITED);
    }

    @Test
    void anAdjustmentForAWindowThatSlidOutChangesNothing() {
        RateWindow w = new RateWindow(0, 100);
        long window = ((RateWindow.Admitted) w.tryTake(T0, 100)).window();
        w.tryTake(T0 + 2 * MINUTE, 100);

        w.adjust(window, 0, -100);

        assertThat(w.tryTake(T0 + 2 * MINUTE, 1)).isInstanceOf(RateWindow.Limited.class);
    }

    @Test
    void concurrentRequestsTogetherGetExactlyTheLimit() throws Exception {
        RateWindow w = new RateWindow(500, 5_000);
        java.util.concurrent.atomic.AtomicLong admitted = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong tokens = new java.util.concurrent.atomic.AtomicLong();
        java.util.List<Thread> all = new java.util.ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int cost = t % 3 == 0 ? 20 : 1;
            all.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 200; i++) {
                    if (w.tryTake(T0 + 1_000, cost) instanceof RateWindow.Admitted) {
                        admitted.incrementAndGet();
                        tokens.addAndGet(cost);
                    }
                }
            }));
        }
        for (Thread t : all) {
            t.join();
        }
        assertThat(admitted.get()).isLessThanOrEqualTo(500);
        assertThat(tokens.get()).isLessThanOrEqualTo(5_000);
        assertThat(admitted.get() == 500 || tokens.get() > 5_000 - 20).as("one limit is reached").isTrue();
    }
}
