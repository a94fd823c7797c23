package io.aixcl.daemon.remote;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down guessing: after {@code freeFailures} failed authentications from one client (remote address), that
 * client is locked out for a while, doubling with each further failure up to {@code maxLockout}. A success clears
 * the count. The tokens are 256-bit, so this is about noise and load more than about luck.
 */
public final class FailureThrottle {
    static final int FREE_FAILURES = 5;
    static final Duration FIRST_LOCKOUT = Duration.ofSeconds(1);
    static final Duration MAX_LOCKOUT = Duration.ofMinutes(15);
    private static final int MAX_CLIENTS = 10_000;

    private final InstantSource clock;
    private final int freeFailures;
    private final Duration firstLockout;
    private final Duration maxLockout;
    private final Map<String, Record> clients = new ConcurrentHashMap<>();

    private record Record(int failures, Instant lockedUntil, Instant lastFailure) {}

    public sealed interface Verdict permits Open, Locked {}

    public record Open() implements Verdict {}

    public record Locked(Duration retryAfter) implements Verdict {}

    public FailureThrottle(InstantSource clock) {
        this(clock, FREE_FAILURES, FIRST_LOCKOUT, MAX_LOCKOUT);
    }

    FailureThrottle(InstantSource clock, int freeFailures, Duration firstLockout, Duration maxLockout) {
        this.clock = clock;
        this.freeFailures = freeFailures;
        this.firstLockout = firstLockout;
        this.maxLockout = maxLockout;
    }

    public Verdict check(String client) {
        Record r = clients.get(client);
        Instant now = clock.instant();
        if (r != null && now.isBefore(r.lockedUntil)) {
            return new Locked(Duration.between(now, r.lockedUntil));
        }
        return new Open();
    }

    public void failed(String client) {
        Instant now = clock.instant();
        clients.compute(client, (k, r) -> {
            int failures = (r == null ? 0 : r.failures) + 1;
            Instant until = now;
            if (failures >= freeFailures) {
                int doublings = Math.min(failures - freeFailures, 30);
                Duration lockout = firstLockout.multipliedBy(1L << doublings);
                until = now.plus(lockout.compareTo(maxLockout) > 0 ? maxLockout : lockout);
            }
            return new Record(failures, until, now);
        });
        if (clients.size() > MAX_CLIENTS) {
            forgetIdle(now);
        }
    }

    public void succeeded(String client) {
        clients.remove(client);
    }

    /** Many addresses failing once each must not grow this without bound: forget the ones long quiet. */
    private void forgetIdle(Instant now) {
        for (Iterator<Record> it = clients.values().iterator(); it.hasNext(); ) {
            Record r = it.next();
            if (r.lastFailure.plus(maxLockout).isBefore(now)) {
                it.remove();
            }
        }
    }
}
