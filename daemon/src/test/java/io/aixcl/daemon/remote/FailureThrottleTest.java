package io.aixcl.daemon.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FailureThrottleTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-01T10:00:00Z"));
    private final InstantSource clock = now::get;
    private final FailureThrottle throttle = new FailureThrottle(clock);

    private void fail(String client, int times) {
        for (int i = 0; i < times; i++) {
            throttle.failed(client);
        }
    }

    @Test
    void aFewFailuresAreFree() {
        fail("10.0.0.1", FailureThrottle.FREE_FAILURES - 1);
        assertThat(throttle.check("10.0.0.1")).isEqualTo(new FailureThrottle.Open());
    }

    @Test
    void theFifthFailureLocksTheClientOutAndTheLockoutDoublesWithEachFurtherOne() {
        fail("10.0.0.1", 5);
        assertThat(throttle.check("10.0.0.1")).isEqualTo(new FailureThrottle.Locked(Duration.ofSeconds(1)));
        fail("10.0.0.1", 1);
        assertThat(throttle.check("10.0.0.1")).isEqualTo(new FailureThrottle.Locked(Duration.ofSeconds(2)));
        fail("10.0.0.1", 3);
        assertThat(throttle.check("10.0.0.1")).isEqualTo(new FailureThrottle.Locked(Duration.ofSeconds(16)));
    }

    @Test
    void theLockoutIsCapped() {
        fail("10.0.0.1", 60);
        assertThat(throttle.check("10.0.0.1")).isEqualTo(new FailureThrottle.Locked(FailureThrottle.MAX_LOCKOUT));
    }

    @Test
    void theLockoutEndsWithTime() {
        fail("10.0.0.1", 5);
        now.set(now.get().plusSeconds(1));
        assertThat(throttle.check("10.0.0.1")).isEqualTo(new FailureThrottle.Open());
    }

    @Test
    void oneClientsFailuresDoNotLockOutAnother() {
        fail("10.0.0.1", 10);
        assertThat(throttle.check("10.0.0.2")).isEqualTo(new FailureThrottle.Open());
    }

    @Test
    void aSuccessClearsTheCount() {
        fail("10.0.0.1", 4);
        throttle.succeeded("10.0.0.1");
        fail("10.0.0.1", 4);
        assertThat(throttle.check("10.0.0.1")).isEqualTo(new FailureThrottle.Open());
    }
}
