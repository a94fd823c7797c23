package io.aixcl.audit;

import io.aixcl.core.audit.AuditLog.AuditReceipt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Makes appends durable in batches: one writer thread takes every append waiting, writes them with one write and one
 * fdatasync, and only then completes them. While one fsync runs, the next batch gathers, so many concurrent
 * appenders share each fsync. Appenders encode and hash their entry on their own thread, before queueing.
 *
 * <p>A deferred entry (one nothing waits on) that finds the writer idle lets it wait up to the deferred window for
 * company: a steady stream of them then costs one fsync a window instead of one per fsync's duration, and does not
 * wake the writer per entry. An entry someone waits on, a full batch, or close ends the wait at once.
 */
final class GroupCommit implements AutoCloseable {

    private static final int MAX_BATCH = 4096;

    private record Pending(byte[] entry, Hash leaf, CompletableFuture<AuditReceipt> done, boolean deferred) {}

    /** Queued by close, last of all: the writer waits in {@code take} and wakes only for work or for this. */
    private static final Pending CLOSE = new Pending(new byte[0], null, null, false);

    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    // Appends hold the read lock while queueing, close takes the write lock: nothing is queued after close.
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final SegmentWriter segments;
    private final MerkleTree tree;
    private final Consumer<TreeHead> onCommit;
    private final Thread writer;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
    private byte[] previousLeaf;
    private final long deferredWindowNanos;
    /** Set by an entry that must not wait out a deferred window (cleared by the writer as it drains). */
    private volatile boolean urgent;
    /** The writer is in a deferred window (so an urgent entry must unpark it; otherwise it is not parked for one). */
    private volatile boolean waiting;
    private volatile boolean closing;
    private volatile Throwable failure;
    private volatile long batches; // written by the writer alone; tests read it

    GroupCommit(SegmentWriter segments, MerkleTree tree, Hash lastLeaf, Consumer<TreeHead> onCommit,
                Duration deferredWindow) {
        this.deferredWindowNanos = deferredWindow.toNanos();
        this.segments = segments;
        this.tree = tree;
        this.previousLeaf = tree.size() == 0 ? RecordFormat.NO_PREVIOUS : lastLeaf.bytes();
        this.onCommit = onCommit;
        this.writer = Thread.ofPlatform().name("audit-writer").daemon().unstarted(this::run);
        writer.start();
    }

    /**
     * Queues {@code entry}; the future completes once it is on disk, or fails if it never will be.
     *
     * @param deferred nothing waits on the entry: it may wait up to the deferred window for others to join its commit
     */
    CompletableFuture<AuditReceipt> submit(byte[] entry, boolean deferred) {
        if (RecordFormat.frameSize(entry.length) > RecordFormat.frameSize(RecordFormat.MAX_ENTRY)) {
            throw new IllegalArgumentException("an audit entry is at most " + RecordFormat.MAX_ENTRY + " bytes");
        }
        Pending p = new Pending(entry, TreeHashing.leaf(entry), new CompletableFuture<>(), deferred);
        gate.readLock().lock();
        try {
            if (closing) {
                throw new IllegalStateException("the audit log is closed");
            }
            Throwable f = failure;
            if (f != null) {
                throw new UncheckedIOException(new IOException("the audit log failed and accepts no more entries", f));
            }
            queue.add(p); // wakes a writer idle in take()
        } finally {
            gate.readLock().unlock();
        }
        if (!deferred || queue.size() >= MAX_BATCH) {
            urgent = true; // written before waiting is read, as the writer does the reverse: one of us sees the other
            if (waiting) {
                LockSupport.unpark(writer);
            }
        }
        return p.done;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        boolean closed = false;
        while (!closed) {
            Pending first;
            try {
                first = queue.take();
            } catch (InterruptedException e) {
                continue; // only close stops the writer, and only once everything queued is settled
            }
            if (first.deferred) {
                awaitCompany();
            }
            urgent = false; // before draining: an urgent entry queued after this is drained now or ends the next wait
            batch.add(first);
            queue.drainTo(batch, MAX_BATCH - 1);
            if (batch.getLast() == CLOSE) {
                batch.removeLast();
                closed = true;
                if (batch.isEmpty()) {
                    return;
                }
            }
            if (failure == null) {
                try {
                    commit(batch);
                } catch (IOException | RuntimeException | Error e) {
                    // After a failed fsync the file's state is unknown (and retrying can report false success):
                    // stop for good, so no action is ever acknowledged without its entry on disk.
                    failure = e;
                }
            }
            if (failure != null) {
                UncheckedIOException error = new UncheckedIOException(
                        new IOException("the audit log could not make the entry durable", failure));
                batch.forEach(p -> p.done.completeExceptionally(error));
            }
            batch.clear();
        }
    }

    /** Waits out the deferred window, unless an urgent entry, a full batch or close comes first. */
    private void awaitCompany() {
        long deadline = System.nanoTime() + deferredWindowNanos;
        long left = deferredWindowNanos;
        waiting = true;
        while (left > 0 && !urgent && !closing && queue.size() < MAX_BATCH - 1) {
            LockSupport.parkNanos(this, left);
            left = deadline - System.nanoTime();
        }
        waiting = false;
    }

    private void commit(List<Pending> batch) throws IOException {
        long first = tree.size();
        int bytes = 0;
        for (Pending p : batch) {
            bytes += RecordFormat.frameSize(p.entry.length);
        }
        if (buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocate(Math.max(bytes, buffer.capacity() * 2));
        }
        buffer.clear();
        long index = first;
        byte[] previous = previousLeaf;
        for (Pending p : batch) {
            byte[] leaf = p.leaf.raw();
            RecordFormat.write(buffer, index++, previous, leaf, p.entry, crc);
            previous = leaf;
        }
        buffer.flip();
        segments.write(buffer, first);
        segments.force();
        batches++;
        // Durable from here on: only now may the tree, and so checkpoints, include the batch.
        previousLeaf = previous;
        index = first;
        for (Pending p : batch) {
            tree.append(p.leaf);
        }
        TreeHead head = new TreeHead(tree.size(), tree.root());
        onCommit.accept(head);
        for (Pending p : batch) {
            p.done.complete(new AuditReceipt(index++, p.leaf.hex()));
        }
    }

    /** Batches made durable so far (each one write and one fsync). */
    long batches() {
        return batches;
    }

    Throwable failure() {
        return failure;
    }

    /** Settles everything queued, then stops the writer. */
    @Override
    public void close() throws IOException {
        gate.writeLock().lock();
        try {
            if (!closing) {
                closing = true;
                queue.add(CLOSE);
                LockSupport.unpark(writer);
            }
        } finally {
            gate.writeLock().unlock();
        }
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        segments.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
