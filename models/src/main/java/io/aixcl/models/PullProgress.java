package io.aixcl.models;

import io.aixcl.core.models.Digest;
import io.aixcl.core.models.PullEvent;
import io.aixcl.core.models.PullListener;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * Turns the byte counts of a pull's blobs into {@link PullEvent.Progress} events: totals, a rate over the last
 * few seconds (resumed bytes count as done but not as speed), and an ETA; at most ten events a second.
 */
final class PullProgress {
    private static final long WINDOW_NANOS = 5_000_000_000L;
    private static final long MIN_INTERVAL_NANOS = 100_000_000L;

    private final PullListener listener;
    private long total;
    private int unknownSizes;
    private long completed;
    private long transferred;
    private long lastEmit;
    private final ArrayDeque<long[]> samples = new ArrayDeque<>(); // {nanoTime, transferred}

    PullProgress(PullListener listener, long knownTotal, int unknownSizes, long present) {
        this.listener = listener;
        this.total = knownTotal;
        this.unknownSizes = unknownSizes;
        this.completed = present;
    }

    void emit(PullEvent event) {
        try {
            listener.on(event);
        } catch (RuntimeException ignored) {
            // a broken listener (a client gone away) must not fail the pull
        }
    }

    /** A listener for one blob; {@code plannedSize} is -1 when the plan did not know it. */
    RangedDownload.Listener blob(Digest digestOrNull, long plannedSize) {
        return new RangedDownload.Listener() {
            @Override
            public void started(long size, long resumedFrom) {
                synchronized (PullProgress.this) {
                    if (plannedSize < 0 && size >= 0) {
                        total += size;
                        unknownSizes--;
                    }
                    completed += resumedFrom;
                }
                if (digestOrNull != null) {
                    emit(new PullEvent.BlobStarted(digestOrNull, size, resumedFrom));
                }
                progress(true);
            }

            @Override
            public void transferred(long delta) {
                synchronized (PullProgress.this) {
                    completed += delta;
                    if (delta > 0) {
                        transferred += delta;
                    }
                }
                progress(false);
            }

            @Override
            public void retrying(int attempt, Duration delay, String reason) {
                if (digestOrNull != null) {
                    emit(new PullEvent.Retrying(digestOrNull, attempt, delay, reason));
                }
            }
        };
    }

    void progress(boolean force) {
        PullEvent.Progress event;
        synchronized (this) {
            long now = System.nanoTime();
            if (!force && now - lastEmit < MIN_INTERVAL_NANOS) {
                return;
            }
            lastEmit = now;
            samples.addLast(new long[] {now, transferred});
            while (samples.size() > 2 && now - samples.peekFirst()[0] > WINDOW_NANOS) {
                samples.removeFirst();
            }
            long[] oldest = samples.peekFirst();
            double seconds = (now - oldest[0]) / 1e9;
            double rate = seconds > 0.05 ? (transferred - oldest[1]) / seconds : 0;
            long reportedTotal = unknownSizes > 0 ? -1 : total;
            Optional<Duration> eta = rate > 0 && reportedTotal >= 0
                    ? Optional.of(Duration.ofMillis((long) (Math.max(0, reportedTotal - completed) / rate * 1000)))
                    : Optional.empty();
            event = new PullEvent.Progress(completed, reportedTotal, rate, eta);
        }
        emit(event);
    }

    synchronized long transferred() {
        return transferred;
    }
}
