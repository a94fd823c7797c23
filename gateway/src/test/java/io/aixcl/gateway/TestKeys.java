package io.aixcl.gateway;

import io.aixcl.core.inference.TokenUsage;
import io.aixcl.core.keys.KeyAuthority;
import io.aixcl.core.keys.KeyDecision;
import io.aixcl.core.keys.Reservation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An in-memory key authority: a few keys with model allowlists, one always rate limited. Records every reservation
 * so tests can check what was reserved, settled and given back.
 */
final class TestKeys implements KeyAuthority {

    static final String ALL = "sk-test-all";
    static final String TINY_ONLY = "sk-test-tiny-only";
    static final String LIMITED = "sk-test-limited";

    record Key(String id, Set<String> models) { }

    private final Map<String, Key> keys = Map.of(
            ALL, new Key("key-all", Set.of()),
            TINY_ONLY, new Key("key-tiny", Set.of("tiny")));

    final List<Held> reservations = new CopyOnWriteArrayList<>();

    @Override
    public KeyDecision authorize(String presented, String model, long reserveTokens) {
        if (presented.isEmpty()) {
            return new KeyDecision.Refused(KeyDecision.Reason.MISSING, "an inference key is required "
                    + "(Authorization: Bearer KEY)", Optional.empty(), Optional.empty());
        }
        if (presented.equals(LIMITED)) {
            return new KeyDecision.Refused(KeyDecision.Reason.RATE_LIMITED, "key 'key-limited' is over its rate of "
                    + "1 request per minute", Optional.of("key-limited"), Optional.of(Duration.ofMillis(6500)));
        }
        Key key = keys.get(presented);
        if (key == null) {
            return new KeyDecision.Refused(KeyDecision.Reason.UNKNOWN, "the inference key is not valid",
                    Optional.empty(), Optional.empty());
        }
        if (!key.models().isEmpty() && !key.models().contains(model)) {
            return new KeyDecision.Refused(KeyDecision.Reason.MODEL_NOT_ALLOWED, "key '" + key.id()
                    + "' may not use the model '" + model + "'", Optional.of(key.id()), Optional.empty());
        }
        Held held = new Held(key.id(), model, reserveTokens);
        reservations.add(held);
        return new KeyDecision.Granted(held);
    }

    @Override
    public boolean allows(String presented, String model) {
        Key key = keys.get(presented);
        return key != null && (key.models().isEmpty() || key.models().contains(model));
    }

    static final class Held implements Reservation {
        final String keyId;
        final String model;
        final long reserved;
        volatile TokenUsage settled;
        volatile boolean closedUnspent;
        private final AtomicBoolean done = new AtomicBoolean();

        Held(String keyId, String model, long reserved) {
            this.keyId = keyId;
            this.model = model;
            this.reserved = reserved;
        }

        @Override
        public String keyId() {
            return keyId;
        }

        @Override
        public void settle(TokenUsage used) {
            if (done.compareAndSet(false, true)) {
                settled = used;
            }
        }

        @Override
        public void close() {
            if (done.compareAndSet(false, true)) {
                closedUnspent = true;
            }
        }

        boolean finished() {
            return done.get();
        }
    }
}
