package io.aixcl.engine.llama.worker;

import io.aixcl.engine.llama.protocol.Frame;
import java.util.function.Consumer;

/**
 * One generation's way out to the parent. A token goes out at once when the last frame left at least
 * {@code interval} ago, so a model that takes tens of milliseconds a token streams every token as it comes; a
 * token that follows sooner is held and sent with the ones after it, so a model that makes a token every
 * millisecond costs the parent, the gateway and the client one wake-up per interval rather than one per token
 * (llama.cpp's own threads want those cores). A held token waits at most {@code 2 × interval}: the next token
 * past the interval takes it along, or the {@link Flusher} sends it when the model stalls.
 *
 * <p>Tokens are joined into one {@link Frame.Token}; the counts travel in {@link Frame.Done}, so usage stays exact.
 */
final class TokenBatch {

    private final long call;
    private final long intervalNanos;
    private final Consumer<Frame> parent;
    private final StringBuilder held = new StringBuilder();
    private long lastSentAt;
    private long heldSince;
    private boolean sentAny;
    private boolean ended;

    TokenBatch(long call, long intervalNanos, Consumer<Frame> parent) {
        this.call = call;
        this.intervalNanos = intervalNanos;
        this.parent = parent;
    }

    /** Sends or holds {@code text}; true when it is held and a deadline must be kept for it. */
    synchronized boolean token(String text, long now) {
        if (ended) {
            return false;
        }
        boolean wasEmpty = held.isEmpty();
        held.append(text);
        if (!sentAny || now - lastSentAt >= intervalNanos) {
            send(now);
            return false;
        }
        if (wasEmpty) {
            heldSince = now;
            return true;
        }
        return false;
    }

    /** When the held tokens must go out at the latest, or {@code Long.MAX_VALUE} with none held. */
    synchronized long deadline() {
        return held.isEmpty() || ended ? Long.MAX_VALUE : heldSince + 2 * intervalNanos;
    }

    /**
     * Sends the held tokens if their deadline passed; returns when this batch must be looked at next: the held tokens'
     * deadline, or with none held the earliest a token held from {@code now} on can be due ({@code now + 2 × interval}),
     * so the {@link Flusher} need not be woken when this batch holds again; {@code Long.MAX_VALUE} once it ended.
     */
    synchronized long flushIfDue(long now) {
        if (ended) {
            return Long.MAX_VALUE;
        }
        if (!held.isEmpty() && now - heldSince >= 2 * intervalNanos) {
            send(now);
        }
        return held.isEmpty() ? now + 2 * intervalNanos : heldSince + 2 * intervalNanos;
    }

    /** Sends what is held, then {@code last}; nothing goes out after it. */
    synchronized void end(Frame last) {
        if (ended) {
            return;
        }
        if (!held.isEmpty()) {
            send(System.nanoTime());
        }
        ended = true;
        parent.accept(last);
    }

    private void send(long now) {
        parent.accept(new Frame.Token(call, held.toString()));
        held.setLength(0);
        lastSentAt = now;
        sentAny = true;
    }
}
