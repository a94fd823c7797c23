package io.aixcl.core.inference;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Admission for one model: at most {@code maxRunning} generations hold a slot, at most {@code maxQueued} wait for
 * one in arrival order, and any more are refused at once ({@link InferenceException.Busy}) rather than left to
 * pile up. A slot is given back when its generation ends, however it ends. Pure logic shared by every engine
 * adapter (embedded, HTTP upstreams).
 */
public final class GenerationQueue {

    private final String modelId;
    private final int maxRunning;
    private final int maxQueued;
    private final ArrayDeque<Ticket> waiting = new ArrayDeque<>();
    private int running;

    /** A place in the queue; {@code turn} completes true when the slot is granted, false when withdrawn. */
    public static final class Ticket {
        private final CompletableFuture<Boolean> turn = new CompletableFuture<>();
        private boolean holdsSlot;
        private boolean released;

        public CompletableFuture<Boolean> turn() {
            return turn;
        }
    }

    public GenerationQueue(String modelId, int maxRunning, int maxQueued) {
        this.modelId = modelId;
        this.maxRunning = maxRunning;
        this.maxQueued = maxQueued;
    }

    public Ticket admit() {
        var ticket = new Ticket();
        synchronized (this) {
            if (running < maxRunning) {
                running++;
                ticket.holdsSlot = true;
            } else if (waiting.size() < maxQueued) {
                waiting.addLast(ticket);
                return ticket;
            } else {
                throw new InferenceException.Busy(modelId, running, waiting.size());
            }
        }
        ticket.turn.complete(true);
        return ticket;
    }

    /** Gives back the ticket's slot (passing it to the next in line) or its place in the queue. Idempotent. */
    public void release(Ticket ticket) {
        Ticket next = null;
        synchronized (this) {
            if (ticket.released) {
                return;
            }
            ticket.released = true;
            if (!ticket.holdsSlot) {
                waiting.remove(ticket);
            } else if (waiting.isEmpty()) {
                running--;
            } else {
                next = waiting.removeFirst();
                next.holdsSlot = true;
            }
        }
        // Completed outside the lock: the waiter's continuation must not run while we hold it.
        ticket.turn.complete(false);
        if (next != null) {
            next.turn.complete(true);
        }
    }

    public synchronized int running() {
        return running;
    }

    public synchronized int queued() {
        return waiting.size();
    }

    public synchronized boolean idle() {
        return running == 0 && waiting.isEmpty();
    }
}
