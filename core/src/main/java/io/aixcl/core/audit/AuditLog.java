package io.aixcl.core.audit;

import java.util.concurrent.CompletableFuture;

/**
 * The append-only, tamper-evident record of every state-changing action. Invariant: an action is acknowledged
 * only after its entry is durable, so {@link #append} returns only once the entry is on disk.
 */
public interface AuditLog extends AutoCloseable {

    /** Appends {@code event}; returns its position once it is durable. */
    AuditReceipt append(AuditEvent event);

    /**
     * Appends {@code event} without waiting for the disk: the future completes with its position once the entry is
     * durable, or fails if it never will be. For a caller whose action does not wait on its entry (the gateway records
     * a request after answering it). This default runs {@link #append} on a virtual thread of its own; a log with its
     * own write queue overrides it to hand the entry over, so that no thread is parked per entry.
     */
    default CompletableFuture<AuditReceipt> appendAsync(AuditEvent event) {
        return CompletableFuture.supplyAsync(() -> append(event), task -> Thread.ofVirtual().name("audit-append")
                .start(task));
    }

    /**
     * As {@link #appendAsync}, for an entry no action waits on (the gateway's record of a request it has answered):
     * the log may hold it back for a short, bounded window so that it shares an fsync with others. Nothing about
     * the entry changes; only when it is durable. This default does not wait.
     */
    default CompletableFuture<AuditReceipt> appendDeferred(AuditEvent event) {
        return appendAsync(event);
    }

    @Override
    void close();

    /** Where an entry landed: its index (0-based) and its Merkle leaf hash (hex). */
    record AuditReceipt(long index, String leafHash) {}
}
