package io.aixcl.gateway;

import io.aixcl.core.audit.AuditEvent;
import io.aixcl.core.audit.AuditLog;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** An audit log in memory that takes as long as a durable append (2 ms), so a test notices it on the latency path. */
final class RecordingAuditLog implements AuditLog {

    final List<AuditEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicLong index = new AtomicLong();

    @Override
    public AuditReceipt append(AuditEvent event) {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.add(event);
        return new AuditReceipt(index.getAndIncrement(), "0".repeat(64));
    }

    /** The first event matching, waiting for it up to 5 s (events are appended after the response). */
    AuditEvent await(Predicate<AuditEvent> match) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (AuditEvent event : events) {
                if (match.test(event)) {
                    return event;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no audit event matched among " + events);
    }

    @Override
    public void close() {
    }
}
