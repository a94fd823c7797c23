package io.aixcl.gateway.http;

import io.aixcl.core.audit.AuditEvent;
import io.aixcl.core.audit.AuditLog;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Appends one audit event per request without putting the durable append (milliseconds: an fsync) on the client's
 * latency path. Each event is handed to the audit log's own write queue ({@link AuditLog#appendDeferred}), so events from
 * concurrent requests meet in its group commit and share one fsync (waiting up to the log's deferred window for
 * company: a busy gateway then costs the disk one fsync a window, not thousands a second), and no thread waits per event (a thread per
 * append cost more CPU than the rest of a proxied request). A semaphore bounds the appends in flight: when the log
 * falls that far behind, requests wait for it (back-pressure) rather than events being dropped or memory growing
 * without bound.
 *
 * <p>An inference request changes no state the audit log guards (usage and budgets are settled through the key
 * authority), so the answer need not wait for its entry; {@link #close} waits for every entry still in flight.
 */
public final class AuditTrail implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AuditTrail.class.getName());
    static final int MAX_IN_FLIGHT = 4096;

    private final AuditLog log;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Duration closeTimeout;

    public AuditTrail(AuditLog log, Duration closeTimeout) {
        this.log = log;
        this.closeTimeout = closeTimeout;
    }

    public void record(AuditEvent event) {
        inFlight.acquireUninterruptibly();
        CompletableFuture<AuditLog.AuditReceipt> appended;
        try {
            appended = log.appendDeferred(event);
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        // Runs on the log's writer once the entry is durable (or at once if it already is): keep it this small.
        appended.whenComplete((receipt, failure) -> {
            inFlight.release();
            if (failure != null) {
                LOG.log(Level.SEVERE, "cannot append the audit event for " + event.action() + " by "
                        + event.actor(), failure);
            }
        });
    }

    /** Waits until every event handed over is appended (or the timeout passes). */
    @Override
    public void close() {
        try {
            if (inFlight.tryAcquire(MAX_IN_FLIGHT, closeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                inFlight.release(MAX_IN_FLIGHT);
            } else {
                LOG.warning("audit events still being appended after " + closeTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
