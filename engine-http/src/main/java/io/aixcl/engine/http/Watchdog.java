package io.aixcl.engine.http;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Enforces the first-byte and idle deadlines of running generations with one sweeping thread. A generation moves
 * its deadline with a volatile write per chunk, which is far cheaper than rescheduling a timer per token.
 */
final class Watchdog implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Watchdog.class.getName());

    interface Watched {
        /** {@link System#nanoTime()} by which the next byte must come; {@link Long#MAX_VALUE} for none. */
        long deadline();

        /** The deadline passed: fail the generation. */
        void expire();
    }

    private final Set<Watched> watched = ConcurrentHashMap.newKeySet();
    private final long tickNanos;
    private final Thread thread;
    private volatile boolean closed;

    /** Ticks at a tenth of the shortest timeout (between 5 ms and 1 s), so a deadline is late by at most that. */
    Watchdog(Duration shortestTimeout, String name) {
        long tenth = shortestTimeout.toNanos() / 10;
        tickNanos = Math.clamp(tenth, Duration.ofMillis(5).toNanos(), Duration.ofSeconds(1).toNanos());
        thread = Thread.ofPlatform().daemon().name(name).unstarted(this::sweep);
    }

    void start() {
        thread.start();
    }

    void watch(Watched generation) {
        watched.add(generation);
    }

    void forget(Watched generation) {
        watched.remove(generation);
    }

    private void sweep() {
        while (!closed) {
            LockSupport.parkNanos(tickNanos);
            long now = System.nanoTime();
            for (Watched generation : watched) {
                if (now - generation.deadline() >= 0) {
                    watched.remove(generation);
                    try {
                        generation.expire();
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "expiring a generation failed", e);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
