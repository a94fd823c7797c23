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
    private final String name;
    private Thread thread;

    /** Ticks at a tenth of the shortest timeout (between 5 ms and 1 s), so a deadline is late by at most that. */
    Watchdog(Duration shortestTimeout, String name) {
        long tenth = shortestTimeout.toNanos() / 10;
        tickNanos = Math.clamp(tenth, Duration.ofMillis(5).toNanos(), Duration.ofSeconds(1).toNanos());
        this.name = name;
    }

    /** Starts sweeping; again after a close (an engine whose start failed may be started again). */
    synchronized void start() {
        thread = Thread.ofPlatform().daemon().name(name).start(this::sweep);
    }

    void watch(Watched generation) {
        watched.add(generation);
    }

    void forget(Watched generation) {
        watched.remove(generation);
    }

    private void sweep() {
        // A sweeper stops when it is no longer the current one (closed, or replaced by a restart).
        while (Thread.currentThread() == currentThread()) {
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

    private synchronized Thread currentThread() {
        return thread;
    }

    @Override
    public synchronized void close() {
        if (thread != null) {
            LockSupport.unpark(thread);
            thread = null;
        }
    }
}
