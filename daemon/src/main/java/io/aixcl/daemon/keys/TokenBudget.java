package io.aixcl.daemon.keys;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A key's token budget: settled usage plus outstanding reservations, in one counter that a reservation increases
 * only while the sum stays within the budget (compare-and-set), so any number of concurrent requests can never
 * together reserve more than is left.
 */
final class TokenBudget {
    private final long limit;
    private final AtomicLong committed;

    /** {@code limit} 0 is none; {@code settled} is the usage already on record. */
    TokenBudget(long limit, long settled) {
        this.limit = limit;
        this.committed = new AtomicLong(settled);
    }

    boolean limited() {
        return limit > 0;
    }

    long limit() {
        return limit;
    }

    /** Settled plus reserved (only counted for a key with a budget). */
    long committed() {
        return committed.get();
    }

    /**
     * Reserves {@code tokens}; false when they do not fit. At least one token must be left even for a request that
     * reserves none, so an exhausted budget refuses everything.
     */
    boolean tryReserve(long tokens) {
        if (!limited()) {
            return true; // nothing to protect: no shared counter to contend on
        }
        long need = Math.max(1, tokens);
        while (true) {
            long c = committed.get();
            if (limit - c < need) {
                return false;
            }
            if (committed.compareAndSet(c, c + tokens)) {
                return true;
            }
        }
    }

    /** Replaces a reservation by what was really used (negative: tokens given back). */
    void adjust(long delta) {
        if (limited() && delta != 0) {
            committed.addAndGet(delta);
        }
    }
}
