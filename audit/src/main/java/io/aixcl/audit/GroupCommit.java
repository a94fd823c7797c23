package io.aixcl.audit;

import io.aixcl.core.audit.AuditLog.AuditReceipt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Makes appends durable in batches: one writer thread takes every append waiting, writes them with one write and one
 * fdatasync, and only then completes them. While one fsync runs, the next batch gathers, so many concurrent
 * appenders share each fsync. Appenders encode and hash their entry on their own thread, before queueing.
 */
final class GroupCommit implements AutoCloseable {

    private static final int MAX_BATCH = 4096;

    private record Pending(byte[] entry, Hash leaf, CompletableFuture<AuditReceipt> done) {}

    /** Queued by close, last of all: the writer waits in {@code take} and wakes only for work or for this. */
    private static final Pending CLOSE = new Pending(new byte[0], null, null);

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
    private volatile boolean closing;
    private volatile Throwable failure;

    GroupCommit(SegmentWriter segments, MerkleTree tree, Hash lastLeaf, Consumer<TreeHead> onCommit) {
        this.segments = segments;
        this.tree = tree;
        this.previousLeaf = tree.size() == 0 ? RecordFormat.NO_PREVIOUS : lastLeaf.bytes();
        this.onCommit = onCommit;
        this.writer = Thread.ofPlatform().name("audit-writer").daemon().unstarted(this::run);
        writer.start();
    }

    /** Queues {@code entry}; the future completes once it is on disk, or fails if it never will be. */
    CompletableFuture<AuditReceipt> submit(byte[] entry) {
        if (RecordFormat.frameSize(entry.length) > RecordFormat.frameSize(RecordFormat.MAX_ENTRY)) {
            throw new IllegalArgumentException("an audit entry is at most " + RecordFormat.MAX_ENTRY + " bytes");
        }
        Pending p = new Pending(entry, TreeHashing.leaf(entry), new CompletableFuture<>());
        gate.readLock().lock();
        try {
            if (closing) {
                throw new IllegalStateException("the audit log is closed");
            }
            Throwable f = failure;
            if (f != null) {
                throw new UncheckedIOException(new IOException("the audit log failed and accepts no more entries", f));
            }
            queue.add(p);
        } finally {
            gate.readLock().unlock();
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
