package io.aixcl.models;

import io.aixcl.core.models.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes downloaded bytes into the partial file at their offsets and keeps a sha256 over the contiguous prefix, on a
 * thread of its own: SHA-256 of one stream cannot be split, and done on the download thread it added its whole time
 * to the download's (a 1 GiB pull took receive + write + hash instead of the longest of them).
 *
 * <p>Bytes written at the end of what is already queued for hashing are handed over in the very buffer they arrived
 * in (the writer takes a fresh one from a small pool, which also bounds how far the download can run ahead of the
 * hash); bytes that other connections wrote ahead are read back from the file once the gap before them fills. A
 * resumed download starts by hashing what is already on disk, while the rest downloads.
 *
 * <p>Given a second channel on the file opened with {@code O_DIRECT}, bytes where the hash goes on are written by a
 * writer thread of their own straight from the buffer to the disk, then handed to the hasher: no copy into the page
 * cache, which was the largest CPU cost of a pull after the hash (~0.5 s per GiB), and no dirty pages for the
 * checkpoints' and the final fsync to write out. Bytes ahead of the hash are written through the page cache as before,
 * since they are read back from it. The connection goes on reading while its bytes are written. What is counted as
 * written (the ledger, and so the progress record) is only what a write has completed.
 */
final class DigestingSink implements AutoCloseable {
    static final int BUFFER_BYTES = 1 << 20;
    /** The alignment of direct writes: their file offset, length and buffer address (a filesystem block). */
    static final int ALIGN = 4096;
    /** Network buffers between downloads: one download's worth (4 connections and the slack) is kept. */
    private static final BlockingQueue<ByteBuffer> SPARE = new ArrayBlockingQueue<>(8);

    private sealed interface Task {}

    /** {@code holders}: null, or how many of the hasher and the writer still use the buffer (it is free at 0). */
    private record Bytes(ByteBuffer buffer, AtomicInteger holders) implements Task {
        Bytes(ByteBuffer buffer) {
            this(buffer, null);
        }
    }

    private record ReadBack(long from, long to) implements Task {}

    private record Restart() implements Task {}

    private record Barrier(CountDownLatch done) implements Task {}

    private record Stop() implements Task {}

    private sealed interface WriterTask {}

    private record Write(int chunk, long offset, ByteBuffer buffer, AtomicInteger holders) implements WriterTask {}

    private record Flushed(CountDownLatch done) implements WriterTask {}

    private record StopWriting() implements WriterTask {}

    private static final System.Logger LOG = System.getLogger(DigestingSink.class.getName());

    private final FileChannel channel;
    private final FileChannel direct; // null: every write goes through the page cache
    private volatile boolean directBroken;
    private final ChunkLedger ledger;
    private final BlockingQueue<ByteBuffer> pool;
    private final int maxBuffers;
    private final long aheadLimit;
    private int allocated; // guarded by lock
    private final BlockingQueue<Task> tasks = new LinkedBlockingQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread hasher;
    private final Thread writer; // null without a direct channel
    private final BlockingQueue<WriterTask> writes = new LinkedBlockingQueue<>();
    private volatile IOException writeFailure;
    private long queued; // guarded by lock: bytes from 0 handed to the hasher (or the writer, then the hasher), in order

    // Owned by the hasher thread; read by others only after a Barrier.
    private final MessageDigest sha256 = Hashing.sha256();
    private long hashed;
    private final java.util.concurrent.atomic.AtomicLong poolWaitNanos = new java.util.concurrent.atomic.AtomicLong();
    private volatile long hashNanos; // time spent hashing (and reading back), for the download's log line
    private volatile long writeNanos; // time the writer thread spent writing
    private volatile long hashedSoFar; // hashed, for the writers' back-pressure
    private IOException failure;

    /** {@code buffers}: how many network buffers may exist at once (at least one per connection, plus slack). */
    DigestingSink(FileChannel channel, ChunkLedger ledger, int buffers) {
        this(channel, ledger, buffers, 0);
    }

    /**
     * {@code aheadLimit}: how many written bytes may wait for the hash before writers ahead of it pause (see
     * {@link #mustWait}); 0 for no limit. Applied only to a download that starts from nothing: a resume's first
     * task is hashing what is already on disk, and new bytes should not wait for that.
     */
    DigestingSink(FileChannel channel, ChunkLedger ledger, int buffers, long aheadLimit) {
        this(channel, ledger, buffers, aheadLimit, null);
    }

    /**
     * {@code direct}: the same file opened with {@code O_DIRECT} (see the class comment), or null. Its offsets,
     * lengths and buffers must be aligned to {@value #ALIGN} bytes; what is not is written through {@code channel}.
     */
    DigestingSink(FileChannel channel, ChunkLedger ledger, int buffers, long aheadLimit, FileChannel direct) {
        this.aheadLimit = ledger.totalWritten() == 0 ? aheadLimit : 0;
        this.channel = channel;
        this.direct = direct;
        this.ledger = ledger;
        this.pool = new ArrayBlockingQueue<>(buffers);
        this.maxBuffers = buffers;
        this.hasher = Thread.ofPlatform().daemon().name("aixcl-sha256").start(this::hashTasks);
        this.writer = direct == null ? null : Thread.ofPlatform().daemon().name("aixcl-write").start(this::writeTasks);
        lock.lock();
        try {
            queueContiguous(); // a resume: what is on disk already
        } finally {
            lock.unlock();
        }
    }

    /** A buffer to read the network into, empty; give it back with {@link #write} or {@link #release}. */
    ByteBuffer buffer() throws InterruptedException {
        ByteBuffer b = pool.poll();
        return (b != null ? b : allocateOrTake()).clear();
    }

    /** Buffers are made as needed (a small blob's download needs one), up to the limit; then the hash frees them. */
    private ByteBuffer allocateOrTake() throws InterruptedException {
        lock.lock();
        try {
            if (allocated < maxBuffers) {
                allocated++;
                // Direct: the socket's channel reads into it and the file channel writes from it with no copy (a heap
                // buffer passes through a direct one of the JDK's both ways). Kept for the next download: a direct
                // buffer's memory is freed only when a collection finds it unreachable.
                ByteBuffer spare = SPARE.poll();
                return spare != null ? spare : aligned();
            }
        } finally {
            lock.unlock();
        }
        long t = System.nanoTime();
        try {
            return pool.take();
        } finally {
            poolWaitNanos.addAndGet(System.nanoTime() - t);
        }
    }

    /** How long writers waited for a buffer so far: the hash or the disk, not the network, held them back. */
    long poolWaitNanos() {
        return poolWaitNanos.get();
    }

    /** A direct buffer of {@link #BUFFER_BYTES} whose address is aligned for direct writes. */
    private static ByteBuffer aligned() {
        return ByteBuffer.allocateDirect(BUFFER_BYTES + ALIGN).alignedSlice(ALIGN).slice(0, BUFFER_BYTES);
    }

    /** Milliseconds the hasher spent hashing (and reading back), and the writer thread writing, so far. */
    String busy() {
        return "hash " + hashNanos / 1_000_000 + " ms, writer " + writeNanos / 1_000_000 + " ms";
    }

    /** Whether this sink writes where the hash goes on straight to the disk (false after direct writes failed). */
    boolean writesDirectly() {
        return direct != null && !directBroken;
    }

    /** Whether writes at the hash's position skip the page cache (and a network read need not end early for them). */
    boolean writesDirect(long offset) {
        if (direct == null || directBroken) {
            return false;
        }
        lock.lock();
        try {
            return offset == queued;
        } finally {
            lock.unlock();
        }
    }

    /**
     * How many bytes to read before writing what is at {@code offset}: all the buffer holds, or, off a block boundary
     * (after a short read or a resume), up to the next one, so the writes after it are aligned again.
     */
    int fillLimit(long offset, int capacity) {
        int off = (int) (offset % ALIGN);
        return direct == null || off == 0 ? capacity : Math.min(capacity, ALIGN - off);
    }

    void release(ByteBuffer buffer) {
        if (buffer != null) {
            pool.offer(buffer);
        }
    }

    /**
     * Writes the buffer's remaining bytes at {@code offset}, as part of {@code chunk}, and returns the buffer to read
     * into next, empty: the same one, or, if this one went to the hasher, another from the pool (waiting for one if
     * the hash is behind).
     */
    ByteBuffer write(int chunk, long offset, ByteBuffer buffer) throws IOException, InterruptedException {
        int length = buffer.remaining();
        if (writer != null) {
            IOException failed = writeFailure;
            if (failed != null) {
                throw failed;
            }
            lock.lock();
            try {
                if (offset == queued) {
                    // Where the hash goes on: hashed while the writer thread writes it; free once both are done.
                    queued += length;
                    var holders = new AtomicInteger(2);
                    tasks.add(new Bytes(buffer, holders));
                    writes.add(new Write(chunk, offset, buffer, holders));
                    buffer = null;
                }
            } finally {
                lock.unlock();
            }
            if (buffer == null) {
                return buffer();
            }
        }
        ByteBuffer data = buffer.duplicate();
        long at = offset;
        while (data.hasRemaining()) {
            at += channel.write(data, at);
        }
        ledger.add(chunk, length);
        boolean handedOver = false;
        lock.lock();
        try {
            // With a writer thread, bytes that became the hash's next only now may follow writes it has not done yet:
            // they are read back after those, once counted (queueContiguous), never handed over out of turn.
            if (offset == queued && writer == null) {
                tasks.add(new Bytes(buffer));
                queued += length;
                handedOver = true;
            }
            queueContiguous();
        } finally {
            lock.unlock();
        }
        return handedOver ? buffer() : buffer.clear();
    }

    /**
     * Whether a write at {@code offset} should wait for the hash first: it is not where the hash goes on (that
     * writer never waits, so the hash always can), and more than the limit written is not hashed yet. Bytes written
     * ahead are read back once the gap before them fills; left unbounded, on a busy 2-core machine the downloads
     * took the CPU and the hash read back hundreds of MB after the last byte, on one core (0.05-1.1 s of a 1 GiB
     * loopback pull's 1.2-2.6 s).
     */
    boolean mustWait(long offset) {
        if (aheadLimit == 0 || ledger.totalWritten() - hashedSoFar <= aheadLimit) {
            return false;
        }
        lock.lock();
        try {
            return offset != queued;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets everything hashed: the download restarts from byte 0. */
    void reset() {
        lock.lock();
        try {
            tasks.add(new Restart());
            queued = 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every write handed to the writer thread so far is on the file and counted in the ledger; throws
     * what made one fail. A connection calls it before it ends, so what it leaves recorded is exactly what it wrote.
     */
    void flush() throws IOException {
        if (writer == null) {
            return;
        }
        CountDownLatch done = new CountDownLatch(1);
        writes.add(new Flushed(done));
        await(done, writer, "the writer thread", "waiting for the writes");
        IOException failed = writeFailure;
        if (failed != null) {
            throw failed;
        }
    }

    /** Hashes whatever is left of the {@code size} bytes and returns the digest; the file is cut to {@code size}. */
    Digest finish(long size) throws IOException {
        flush();
        lock.lock();
        try {
            queueContiguous();
        } finally {
            lock.unlock();
        }
        awaitHasher();
        if (failure != null) {
            throw failure;
        }
        if (hashed != size) {
            throw new IllegalStateException("hashed " + hashed + " of " + size + " bytes");
        }
        channel.truncate(size);
        return Digest.ofBytes(sha256.digest());
    }

    /** Stops the hasher; the sink is unusable afterwards. Its buffers given back by then are kept for the next. */
    @Override
    public void close() {
        if (writer != null) {
            writes.add(new StopWriting()); // after the writes queued before it: none is cut off midway
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        tasks.add(new Stop());
        try {
            hasher.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ByteBuffer b; (b = pool.poll()) != null; ) {
            SPARE.offer(b);
        }
    }

    /** Queues a read-back of what other connections wrote ahead, once nothing before it is missing. */
    private void queueContiguous() {
        long end = ledger.contiguousEnd();
        if (end > queued) {
            tasks.add(new ReadBack(queued, end));
            queued = end;
        }
    }

    private void awaitHasher() throws IOException {
        CountDownLatch done = new CountDownLatch(1);
        tasks.add(new Barrier(done));
        await(done, hasher, "the sha256 thread", "finishing the sha256");
    }

    /** Waits for {@code thread} to reach {@code done}, failing if the thread died before it. */
    private static void await(CountDownLatch done, Thread thread, String name, String doing) throws IOException {
        try {
            while (!done.await(100, TimeUnit.MILLISECONDS)) {
                if (!thread.isAlive()) {
                    throw new IOException(name + " ended unexpectedly");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + doing, e);
        }
    }

    private void writeTasks() {
        while (true) {
            WriterTask task;
            try {
                task = writes.take();
            } catch (InterruptedException e) {
                return;
            }
            switch (task) {
                case Write w -> {
                    if (writeFailure != null) {
                        free(w.buffer(), w.holders()); // nothing after a failed write is written or counted
                        continue;
                    }
                    long t = System.nanoTime();
                    try {
                        writeOut(w.offset(), w.buffer());
                        writeNanos += System.nanoTime() - t;
                    } catch (IOException | RuntimeException e) {
                        // The hasher may have these bytes already: the digest is never taken (finish throws this).
                        writeFailure = e instanceof IOException io ? io : new IOException(e.toString(), e);
                        free(w.buffer(), w.holders());
                        continue;
                    }
                    lock.lock();
                    try {
                        // Counted only now, written; what other connections wrote after them can be read back now.
                        ledger.add(w.chunk(), w.buffer().remaining());
                        queueContiguous();
                    } finally {
                        lock.unlock();
                    }
                    free(w.buffer(), w.holders());
                }
                case Flushed f -> f.done().countDown();
                case StopWriting ignored -> {
                    return;
                }
            }
        }
    }

    private void free(ByteBuffer buffer, AtomicInteger holders) {
        if (holders == null || holders.decrementAndGet() == 0) {
            pool.offer(buffer);
        }
    }

    /** Writes the buffer's remaining bytes at {@code offset}: its aligned part straight to the disk, the rest cached. */
    private void writeOut(long offset, ByteBuffer buffer) throws IOException {
        ByteBuffer data = buffer.duplicate();
        long at = offset;
        int aligned = data.remaining() / ALIGN * ALIGN;
        if (!directBroken && offset % ALIGN == 0 && aligned > 0) {
            ByteBuffer part = data.duplicate().limit(data.position() + aligned);
            try {
                while (part.hasRemaining()) {
                    at += direct.write(part, at);
                }
                data.position(part.position());
            } catch (IOException e) {
                // A filesystem that takes O_DIRECT opens but not these writes (another block size): the page cache
                // it is, for this write and the rest of the download.
                directBroken = true;
                LOG.log(System.Logger.Level.WARNING, "direct writes failed ({0}); writing through the page cache",
                        e.getMessage());
                data = buffer.duplicate();
                at = offset;
            }
        }
        while (data.hasRemaining()) {
            at += channel.write(data, at);
        }
    }

    private void hashTasks() {
        ByteBuffer readBuffer = null;
        while (true) {
            Task task;
            try {
                task = tasks.take();
            } catch (InterruptedException e) {
                return;
            }
            switch (task) {
                case Bytes b -> {
                    if (failure == null) {
                        long t = System.nanoTime();
                        hashed += b.buffer().remaining();
                        sha256.update(b.buffer().duplicate()); // the writer may be reading the same buffer
                        hashNanos += System.nanoTime() - t;
                        hashedSoFar = hashed;
                    }
                    free(b.buffer(), b.holders());
                }
                case ReadBack r -> {
                    if (failure == null) {
                        if (readBuffer == null) {
                            // Direct: a heap buffer is read through the JDK's own direct one, and copied once more.
                            readBuffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
                        }
                        long t = System.nanoTime();
                        readBack(r.from(), r.to(), readBuffer);
                        hashNanos += System.nanoTime() - t;
                    }
                }
                case Restart ignored -> {
                    sha256.reset();
                    hashed = 0;
                    hashedSoFar = 0;
                    failure = null;
                }
                case Barrier barrier -> barrier.done().countDown();
                case Stop ignored -> {
                    return;
                }
            }
        }
    }

    private void readBack(long from, long to, ByteBuffer buffer) {
        try {
            if (hashed != from) {
                throw new IllegalStateException("read-back from " + from + " after hashing " + hashed + " bytes");
            }
            while (hashed < to) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), to - hashed));
                int n = channel.read(buffer, hashed);
                if (n <= 0) {
                    throw new IOException("partial file is shorter than its progress record (" + hashed + " < " + to + ")");
                }
                sha256.update(buffer.flip());
                hashed += n;
                hashedSoFar = hashed;
            }
        } catch (IOException e) {
            failure = e;
        }
    }
}
