package io.aixcl.engine.llama.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.engine.llama.protocol.Frame;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FlusherTest {

    private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(50);

    @Test
    void aHeldTokenGoesOutByItsDeadlineWhenTheModelStalls() throws InterruptedException {
        var sent = new LinkedBlockingQueue<Frame>();
        var flusher = new Flusher();
        var batch = new TokenBatch(3, INTERVAL, sent::add);
        long heldAt = System.nanoTime();
        batch.token("first", heldAt);
        assertThat(sent.take()).isEqualTo(new Frame.Token(3, "first"));

        assertThat(batch.token("held", heldAt)).isTrue();
        flusher.watch(batch);

        Frame flushed = sent.poll(10, TimeUnit.SECONDS);
        long waited = System.nanoTime() - heldAt;
        assertThat(flushed).isEqualTo(new Frame.Token(3, "held"));
        assertThat(waited).as("held until its deadline, not sent at once").isGreaterThanOrEqualTo(2 * INTERVAL);
    }

    @Test
    void theFlusherServesBatchesThatHoldAgainAfterItSentTheirLast() throws InterruptedException {
        var sent = new LinkedBlockingQueue<Frame>();
        var flusher = new Flusher();
        var batch = new TokenBatch(4, INTERVAL, sent::add);
        long now = System.nanoTime();
        batch.token("first", now);
        sent.take();
        for (String text : new String[] {"second", "third"}) {
            // Stamped as if it followed the last frame at once, however long the machine took to get here.
            assertThat(batch.token(text, now)).isTrue();
            flusher.watch(batch);
            assertThat(sent.poll(10, TimeUnit.SECONDS)).isEqualTo(new Frame.Token(4, text));
        }
    }

    @Test
    void whileAFastModelStreamsItsGenerationThreadNeverWakesTheFlusher() throws Exception {
        long interval = TimeUnit.MILLISECONDS.toNanos(5);
        var sent = new LinkedBlockingQueue<Frame>();
        var flusher = new Flusher();
        var batch = new TokenBatch(8, interval, sent::add);
        batch.token("first", System.nanoTime());
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
        while (System.nanoTime() < end) {
            Thread.sleep(1); // a token a millisecond, as the generation thread sees them
            if (batch.token("t", System.nanoTime())) {
                flusher.watch(batch);
            }
        }
        batch.end(new Frame.Done(8, "STOP", 1, 1));
        flusher.forget(batch);

        // Frames go every ~5 ms, each followed by a new hold. The flusher (started by the first) sleeps until the next
        // time a hold can be due, so no hold needs to wake it (before, one that followed a wake-up finding the batch
        // empty did: about half of them).
        assertThat(sent.stream().filter(Frame.Token.class::isInstance).count()).isGreaterThan(30);
        assertThat(flusher.wokenByWatch()).isZero();
    }

    @Test
    void anEarlierDeadlineWakesTheFlusherFromALaterOne() throws InterruptedException {
        var slowSent = new LinkedBlockingQueue<Frame>();
        var fastSent = new LinkedBlockingQueue<Frame>();
        var flusher = new Flusher();
        var slow = new TokenBatch(5, TimeUnit.SECONDS.toNanos(10), slowSent::add);
        var fast = new TokenBatch(6, INTERVAL, fastSent::add);
        long heldAt = System.nanoTime();
        slow.token("a", heldAt);
        fast.token("a", heldAt);
        assertThat(slow.token("b", heldAt)).isTrue();
        flusher.watch(slow);

        assertThat(fast.token("b", heldAt)).isTrue();
        flusher.watch(fast);

        fastSent.take();
        assertThat(fastSent.poll(10, TimeUnit.SECONDS)).isEqualTo(new Frame.Token(6, "b"));
        assertThat(System.nanoTime() - heldAt).as("not kept until the slow batch's deadline")
                .isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(slowSent).containsExactly(new Frame.Token(5, "a"));
    }
}
