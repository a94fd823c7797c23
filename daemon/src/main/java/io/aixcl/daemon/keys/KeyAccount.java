package io.aixcl.daemon.keys;

import io.aixcl.core.inference.TokenUsage;
import io.aixcl.core.keys.KeyDecision;
import io.aixcl.core.keys.KeyDecision.Reason;
import io.aixcl.core.keys.Reservation;
import io.aixcl.state.ApiKey;
import io.aixcl.state.KeyUsage;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One key in memory: its definition and its live counters. Everything a request checks is here, so authorizing
 * touches no database and no lock shared with other keys; the counters are atomics of this key alone.
 */
final class KeyAccount {
    private static final long NOT_REVOKED = Long.MIN_VALUE;

    private final ApiKey key;
    private final long expiresAtMillis;
    private final Set<String> models;
    private final RateWindow rates;
    private final TokenBudget budget;
    private final PendingUsage pending;
    private final InstantSource clock;
    private volatile long revokedAtMillis;

    KeyAccount(ApiKey key, KeyUsage settled, InstantSource clock) {
        this.key = key;
        this.expiresAtMillis = key.expires().map(Instant::toEpochMilli).orElse(Long.MAX_VALUE);
        this.models = Set.copyOf(key.models());
        this.rates = new RateWindow(key.limits().requestsPerMinute().orElse(0), key.limits().tokensPerMinute().orElse(0));
        this.budget = new TokenBudget(key.limits().budgetTokens().orElse(0), settled.totalTokens());
        this.pending = new PendingUsage(key.id());
        this.clock = clock;
        this.revokedAtMillis = key.revoked().map(Instant::toEpochMilli).orElse(NOT_REVOKED);
    }

    ApiKey key() {
        return key;
    }

    PendingUsage pending() {
        return pending;
    }

    /** Settled plus reserved tokens, for a key with a budget. */
    long committedTokens() {
        return budget.committed();
    }

    void revoke(Instant at) {
        revokedAtMillis = at.toEpochMilli();
    }

    /** Standing and allowlist only: what a model listing may show, with nothing spent. */
    Optional<KeyDecision.Refused> refusal(String model, long nowMillis) {
        long revoked = revokedAtMillis;
        if (revoked != NOT_REVOKED) {
            return refused(Reason.REVOKED, "key " + key.id() + " was revoked at " + Instant.ofEpochMilli(revoked));
        }
        if (nowMillis >= expiresAtMillis) {
            return refused(Reason.EXPIRED, "key " + key.id() + " expired at " + Instant.ofEpochMilli(expiresAtMillis));
        }
        if (!models.isEmpty() && !models.contains(model)) {
            return refused(Reason.MODEL_NOT_ALLOWED, "key " + key.id() + " may not use model '" + model
                    + "'; it may use: " + String.join(", ", key.models()));
        }
        return Optional.empty();
    }

    KeyDecision authorize(String model, long reserveTokens) {
        long now = clock.millis();
        Optional<KeyDecision.Refused> refused = refusal(model, now);
        if (refused.isPresent()) {
            return refused.get();
        }
        // Rate first: a refusal there is temporary (Retry-After), so it is the one a race should produce.
        long window;
        switch (rates.tryTake(now, reserveTokens)) {
            case RateWindow.Limited l -> {
                return new KeyDecision.Refused(l.reason(), "key " + key.id() + ": " + l.message(),
                        Optional.of(key.id()), l.retryAfter());
            }
            case RateWindow.Admitted a -> window = a.window();
        }
        if (!budget.tryReserve(reserveTokens)) {
            rates.adjust(window, -1, -reserveTokens);
            return refused(Reason.BUDGET_EXHAUSTED, "key " + key.id() + " has spent its budget of " + budget.limit()
                    + " tokens (" + budget.committed() + " used or reserved; this request reserves " + reserveTokens
                    + ")").orElseThrow();
        }
        return new KeyDecision.Granted(new Held(window, reserveTokens));
    }

    private Optional<KeyDecision.Refused> refused(Reason reason, String message) {
        return Optional.of(new KeyDecision.Refused(reason, message, Optional.of(key.id()), Optional.empty()));
    }

    /** A granted request's hold on this key's tokens; the first of settle and close wins. */
    private final class Held implements Reservation {
        private final long window;
        private final long reserved;
        private final AtomicBoolean done = new AtomicBoolean();

        Held(long window, long reserved) {
            this.window = window;
            this.reserved = reserved;
        }

        @Override
        public String keyId() {
            return key.id();
        }

        @Override
        public void settle(TokenUsage used) {
            if (done.compareAndSet(false, true)) {
                // Usage above the reservation still counts (it happened), even past the budget; the gateway reserves
                // the most a request can use, so only an engine that ignores its limit can cause it.
                long delta = used.totalTokens() - reserved;
                budget.adjust(delta);
                rates.adjust(window, 0, delta);
                pending.add(used, clock.millis());
            }
        }

        /** The request stays counted against requests per minute (it was made); its tokens come back. */
        @Override
        public void close() {
            if (done.compareAndSet(false, true)) {
                budget.adjust(-reserved);
                rates.adjust(window, 0, -reserved);
            }
        }
    }
}
