package io.aixcl.core.audit;

/**
 * The append-only, tamper-evident record of every state-changing action. Invariant: an action is acknowledged
 * only after its entry is durable, so {@link #append} returns only once the entry is on disk.
 */
public interface AuditLog extends AutoCloseable {

    /** Appends {@code event}; returns its position once it is durable. */
    AuditReceipt append(AuditEvent event);

    @Override
    void close();

    /** Where an entry landed: its index (0-based) and its Merkle leaf hash (hex). */
    record AuditReceipt(long index, String leafHash) {}
}
