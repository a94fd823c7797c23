package io.aixcl.daemon.keys;

import io.aixcl.core.keys.KeyDecision;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One key's requests-per-minute and tokens-per-minute limits, as a <b>sliding window</b> approximated from two fixed
 * one-minute windows: what the last 60 s used is estimated as the current window's count plus the previous
 * window's count weighted by how much of it still lies within those 60 s. Unlike a fixed window it allows no double
 * burst at a minute boundary, and unlike a log of timestamps it costs two counters per limit. Both limits are
 * checked and taken in one compare-and-set, so a request refused by one takes nothing from the other, and
 * concurrent requests cannot together pass a limit.
 */
final class RateWindow {
    static final long WINDOW_MILLIS = 60_000;

    /** Counts of the window numbered {@code window} (epoch millis / 60 000) and of the one before it. */
    private record Counts(long window, long previousRequests, long requests, long previousTokens, long tokens) {
        Counts at(long now) {
            if (now <= window) {
                return this; // also a clock that stepped back: keep counting in the newest window seen
            }
            return now == window + 1 ? new Counts(now, requests, 0, tokens, 0) : new Counts(now, 0, 0, 0, 0);
        }
    }

    sealed interface Outcome permits Admitted, Limited {}

    /** Taken in {@code window}: a later adjustment finds the counts it changed. */
    record Admitted(long window) implements Outcome {}

    /** {@code retryAfter} is empty when waiting cannot help (the request alone is over the limit). */
    record Limited(KeyDecision.Reason reason, String message, Optional<Duration> retryAfter) implements Outcome {}

    private final long requestsPerMinute;
    private final long tokensPerMinute;
    private final AtomicReference<Counts> counts = new AtomicReference<>(new Counts(Long.MIN_VALUE + 1, 0, 0, 0, 0));

    /** A limit of 0 is none. */
    RateWindow(long requestsPerMinute, long tokensPerMinute) {
        this.requestsPerMinute = requestsPerMinute;
        this.tokensPerMinute = tokensPerMinute;
    }

    boolean limited() {
        return requestsPerMinute > 0 || tokensPerMinute > 0;
    }

    Outcome tryTake(long nowMillis, long tokens) {
        long window = Math.floorDiv(nowMillis, WINDOW_MILLIS);
        if (!limited()) {
            return new Admitted(window);
        }
        if (tokensPerMinute > 0 && tokens > tokensPerMinute) {
            return new Limited(KeyDecision.Reason.TOKEN_RATE_LIMITED, "the request reserves " + tokens
                    + " tokens, more than the key's limit of " + tokensPerMinute + " tokens per minute",
                    Optional.empty());
        }
        while (true) {
            Counts seen = counts.get();
            Counts c = seen.at(window);
            long elapsed = nowMillis - c.window * WINDOW_MILLIS;
            if (requestsPerMinute > 0 && over(c.previousRequests, c.requests, 1, requestsPerMinute, elapsed)) {
                return limited(KeyDecision.Reason.RATE_LIMITED, "requests", requestsPerMinute,
                        wait(c.previousRequests, c.requests, 1, requestsPerMinute, elapsed));
            }
            if (tokensPerMinute > 0 && over(c.previousTokens, c.tokens, tokens, tokensPerMinute, elapsed)) {
                return limited(KeyDecision.Reason.TOKEN_RATE_LIMITED, "tokens", tokensPerMinute,
                        wait(c.previousTokens, c.tokens, tokens, tokensPerMinute, elapsed));
            }
            Counts taken = new Counts(c.window, c.previousRequests, c.requests + 1, c.previousTokens,
                    c.tokens + tokens);
            if (counts.compareAndSet(seen, taken)) {
                return new Admitted(c.window);
            }
        }
    }

    /**
     * Changes the counts a request took in {@code window}: gives tokens back (or adds those used beyond the
     * reservation), or the whole request when it was never let through. Nothing once that window has slid out.
     */
    void adjust(long window, long requestsDelta, long tokensDelta) {
        if (!limited() || (requestsDelta == 0 && tokensDelta == 0)) {
            return;
        }
        while (true) {
            Counts c = counts.get();
            Counts changed;
            if (c.window == window) {
                changed = new Counts(c.window, c.previousRequests, Math.max(0, c.requests + requestsDelta),
                        c.previousTokens, Math.max(0, c.tokens + tokensDelta));
            } else if (c.window == window + 1) {
                changed = new Counts(c.window, Math.max(0, c.previousRequests + requestsDelta), c.requests,
                        Math.max(0, c.previousTokens + tokensDelta), c.tokens);
            } else {
                return;
            }
            if (counts.compareAndSet(c, changed)) {
                return;
            }
        }
    }

    /** previous × (W − elapsed) / W + current + cost &gt; limit, in integers. */
    private static boolean over(long previous, long current, long cost, long limit, long elapsed) {
        return previous * (WINDOW_MILLIS - elapsed) + (current + cost) * WINDOW_MILLIS > limit * WINDOW_MILLIS;
    }

    /** How long until the estimate leaves room for {@code cost}, if nothing else is taken meanwhile. */
    private static long wait(long previous, long current, long cost, long limit, long elapsed) {
        long room = limit - current - cost;
        if (room >= 0 && previous > 0) {
            // previous × (W − e) ≤ room × W  ⇔  e ≥ W − room × W / previous
            return Math.max(1, WINDOW_MILLIS - Math.floorDiv(room * WINDOW_MILLIS, previous) - elapsed);
        }
        // Only the next window can have room; there, this window's count is the one that slides out.
        long next = current == 0 ? 0 : Math.max(0, WINDOW_MILLIS - Math.floorDiv((limit - cost) * WINDOW_MILLIS, current));
        return WINDOW_MILLIS - elapsed + next;
    }

    private static Limited limited(KeyDecision.Reason reason, String what, long limit, long waitMillis) {
        Duration retry = Duration.ofSeconds(Math.max(1, (waitMillis + 999) / 1000)); // Retry-After has seconds
        return new Limited(reason, "limit of " + limit + " " + what + " per minute reached; retry after "
                + retry.toSeconds() + " s", Optional.of(retry));
    }
}
