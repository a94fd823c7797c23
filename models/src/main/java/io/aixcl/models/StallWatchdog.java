package io.aixcl.models;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Aborts connections that deliver no bytes for the stall timeout. A blocked read cannot time out by itself, so a
 * ticker closes the stream under it; the reader sees {@link Watch#stalled()} and retries instead of taking the
 * closed stream for the end of the body.
 */
final class StallWatchdog implements AutoCloseable {
    private final long timeoutNanos;
    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker;

    StallWatchdog(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aixcl-stall-watchdog");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(10, Math.min(250, timeout.toMillis() / 4));
        ticker.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    Duration timeout() {
        return Duration.ofNanos(timeoutNanos);
    }

    Watch watch(Closeable stream) {
        var w = new Watch(stream);
        watches.add(w);
        return w;
    }

    private void tick() {
        long now = System.nanoTime();
        for (Watch w : watches) {
            if (now - w.lastProgress > timeoutNanos) {
                w.stalled = true;
                watches.remove(w);
                Thread.ofVirtual().start(w::closeStream); // close may block on a dead connection
            }
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }

    final class Watch implements AutoCloseable {
        private final Closeable stream;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean stalled;

        private Watch(Closeable stream) {
            this.stream = stream;
        }

        void touch() {
            lastProgress = System.nanoTime();
        }

        boolean stalled() {
            return stalled;
        }

        private void closeStream() {
            try {
                stream.close();
            } catch (IOException ignored) {
                // the point was to break the read
            }
        }

        /** Stops watching (the body ended or failed on its own). */
        @Override
        public void close() {
            watches.remove(this);
        }
    }
}
