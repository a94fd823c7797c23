package io.aixcl.core.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GenerationQueueTest {

    private final GenerationQueue queue = new GenerationQueue("tiny", 2, 1);

    @Test
    void admitsUpToTheLimitThenQueuesThenRefusesAsBusy() {
        var first = queue.admit();
        var second = queue.admit();
        var third = queue.admit();

        assertThat(first.turn()).isCompletedWithValue(true);
        assertThat(second.turn()).isCompletedWithValue(true);
        assertThat(third.turn()).isNotDone();
        assertThatThrownBy(queue::admit)
                .isInstanceOf(InferenceException.Busy.class)
                .hasMessageContaining("'tiny' is busy: 2 generation(s) running and 1 queued");
        assertThat(queue.running()).isEqualTo(2);
        assertThat(queue.queued()).isEqualTo(1);
    }

    @Test
    void aReleasedSlotGoesToTheFirstInLine() {
        var first = queue.admit();
        queue.admit();
        var waiting = queue.admit();

        queue.release(first);
        queue.release(first); // a second release of the same ticket changes nothing

        assertThat(waiting.turn()).isCompletedWithValue(true);
        assertThat(queue.running()).isEqualTo(2);
        assertThat(queue.queued()).isZero();
    }

    @Test
    void aWithdrawnTicketLeavesTheQueueWithoutTakingASlot() {
        var first = queue.admit();
        var second = queue.admit();
        var waiting = queue.admit();

        queue.release(waiting);

        assertThat(waiting.turn()).isCompletedWithValue(false);
        queue.release(first);
        queue.release(second);
        assertThat(queue.idle()).isTrue();
    }
}
