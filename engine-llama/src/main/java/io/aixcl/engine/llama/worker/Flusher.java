package io.aixcl.engine.llama.worker;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the deadlines of held tokens ({@link TokenBatch}) for the whole worker on one thread, which sleeps until the
 * earliest one and is woken only when a batch starts holding while it sleeps with nothing to wait for (or for a
 * later time). While a fast model streams, the generation thread itself sends almost every batch, and this thread
 * wakes about once per deadline period.
 */
final class Flusher {

    private final List<TokenBatch> batches = new ArrayList<>();
    private long wakeAt = Long.MAX_VALUE;
    private boolean started;

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
                notifyAll();
            }
        }
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
                    long deadline = batches.get(i).flushIfDue(now);
                    if (deadline == Long.MAX_VALUE) {
                        batches.remove(i); // nothing held: watched again when it holds
                    } else {
                        next = Math.min(next, deadline);
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
