package io.aixcl.engine.llama.worker;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the deadlines of held tokens ({@link TokenBatch}) for the whole worker on one thread, which sleeps until the
 * earliest one. A batch stays watched until its generation ends: when it holds nothing, it is looked at again one
 * deadline period later (the earliest a token it holds from then on can be due), so a batch that holds again needs
 * no wake-up. The thread is woken only for a new generation's first hold (or an earlier deadline than it sleeps
 * for). While a fast model streams, the generation thread itself sends every batch, and this thread wakes about
 * once per deadline period ({@code 2 × interval}), not once per frame and again per hold.
 */
final class Flusher {

    private final List<TokenBatch> batches = new ArrayList<>();
    private long wakeAt = Long.MAX_VALUE;
    private boolean started;
    /** Times a generation thread had to wake this one (tests). */
    private long wokenByWatch;

    /** {@code batch} holds tokens now and must go out by its deadline. */
    void watch(TokenBatch batch) {
        long deadline = batch.deadline();
        synchronized (this) {
            if (!batches.contains(batch)) {
                batches.add(batch);
            }
            if (!started) {
                started = true;
                Thread.ofPlatform().daemon().name("token-flusher").start(this::run);
            } else if (deadline < wakeAt) {
                wokenByWatch++;
                notifyAll();
            }
        }
    }

    synchronized long wokenByWatch() {
        return wokenByWatch;
    }

    void forget(TokenBatch batch) {
        synchronized (this) {
            batches.remove(batch);
        }
    }

    private void run() {
        synchronized (this) {
            while (true) {
                long now = System.nanoTime();
                long next = Long.MAX_VALUE;
                for (int i = batches.size() - 1; i >= 0; i--) {
                    long due = batches.get(i).flushIfDue(now);
                    if (due == Long.MAX_VALUE) {
                        batches.remove(i); // ended
                    } else {
                        next = Math.min(next, due);
                    }
                }
                wakeAt = next;
                try {
                    if (next == Long.MAX_VALUE) {
                        wait();
                    } else {
                        long nanos = next - now;
                        if (nanos > 0) {
                            wait(nanos / 1_000_000, (int) (nanos % 1_000_000));
                        }
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
