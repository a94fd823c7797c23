package io.aixcl.daemon.keys;

import io.aixcl.core.inference.TokenUsage;
import io.aixcl.state.UsageDelta;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Usage settled in memory and not yet written: the write-behind buffer of one key. A flush that races a
 * settlement may take part of it now and the rest next time; nothing is lost or counted twice.
 */
final class PendingUsage {
    private final String keyId;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong completionTokens = new AtomicLong();
    private final AtomicLong lastSettledMillis = new AtomicLong(Long.MIN_VALUE);

    PendingUsage(String keyId) {
        this.keyId = keyId;
    }

    void add(TokenUsage used, long nowMillis) {
        // The time first: a flush that sees any of this settlement's counts has a time to stamp them with.
        lastSettledMillis.accumulateAndGet(nowMillis, Math::max);
        promptTokens.addAndGet(used.promptTokens());
        completionTokens.addAndGet(used.completionTokens());
        requests.incrementAndGet();
    }

    /** Takes what is pending; empty when nothing was settled since the last drain. */
    Optional<UsageDelta> drain() {
        long r = requests.getAndSet(0);
        long p = promptTokens.getAndSet(0);
        long c = completionTokens.getAndSet(0);
        if (r == 0 && p == 0 && c == 0) {
            return Optional.empty();
        }
        return Optional.of(new UsageDelta(keyId, r, p, c, Instant.ofEpochMilli(lastSettledMillis.get())));
    }

    /** Puts back a drained delta whose write failed, for the next flush. */
    void restore(UsageDelta d) {
        promptTokens.addAndGet(d.promptTokens());
        completionTokens.addAndGet(d.completionTokens());
        requests.addAndGet(d.requests());
    }
}
