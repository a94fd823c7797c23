package io.aixcl.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(1));

    @Test
    void delayDoublesWithEachConsecutiveCrashUpToTheMaximum() {
        assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay(7)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.delay(1_000_000)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aWorkerThatRanLongEnoughCountsAsHealthy() {
        assertThat(backoff.wasHealthy(Duration.ofSeconds(59))).isFalse();
        assertThat(backoff.wasHealthy(Duration.ofMinutes(1))).isTrue();
    }
}
