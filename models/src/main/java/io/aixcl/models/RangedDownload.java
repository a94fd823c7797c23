package io.aixcl.models;

import io.aixcl.core.AixclException;
import io.aixcl.core.models.Digest;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Downloads one blob into {@code blobs/partial/<key>}: chunks fetched in parallel with HTTP Range requests, each
 * connection retried with backoff and aborted when it stalls, the sha256 computed as bytes land, and progress
 * recorded on disk so a later run (after a failure, a cancel or a killed process) resumes where the data ends.
 * It never publishes: the caller moves the verified file into place.
 */
final class RangedDownload {

    interface Listener {
        void started(long size, long resumedFrom);

        /** Bytes written; negative when a restart from zero discards what was there. */
        void transferred(long delta);

        void retrying(int attempt, Duration delay, String reason);
    }

    record Source(URI uri, Optional<Digest> expected, long size, boolean allowInsecureHttp, String label) {}

    record Outcome(Digest digest, long size, long resumedFrom) {}

    private static final System.Logger LOG = System.getLogger(RangedDownload.class.getName());
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final long CHECKPOINT_NANOS = 1_000_000_000L;
    private static final long CHECKPOINT_BYTES = 32L << 20;
    private static final long HOLD_NANOS = 50_000_000L;
    private static final long RAMP_NANOS = 500_000_000L;
    static final int MAX_CHUNKS = 1024;

    private final SafeHttp http;
    private final StallWatchdog watchdog;
    private final ModelStoreSettings settings;
    private final Path data;
    private final Path recordFile;
    private final Source source;
    private final Listener listener;

    private final Set<SafeHttp.Response> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;
    private volatile Round round = new Round();
    private volatile ChunkLedger ledger;
    private volatile DigestingSink sink;
    private FileChannel channel;
    private FileChannel direct; // the same file with O_DIRECT, or null where the filesystem refuses it
    private volatile int connections; // for the log line: how many connections the download used at most
    private volatile long lastCheckpoint;
    private volatile long lastCheckpointBytes;
    private final java.util.concurrent.atomic.AtomicBoolean checkpointing = new java.util.concurrent.atomic.AtomicBoolean();
    // For the log line that ends a download: where a slow pull's time went (the network, retries, the disk).
    private final java.util.concurrent.atomic.AtomicInteger retries = new java.util.concurrent.atomic.AtomicInteger();
    private int checkpoints; // guarded by this
    private long slowestForceNanos; // guarded by this

    RangedDownload(SafeHttp http, StallWatchdog watchdog, ModelStoreSettings settings, Path data, Path recordFile,
                   Source source, Listener listener) {
        this.http = http;
        this.watchdog = watchdog;
        this.settings = settings;
        this.data = data;
        this.recordFile = recordFile;
        this.source = source;
        this.listener = listener;
    }

    /**
     * One set of workers. Workers are stopped by closing their connections and signalling, never by interrupting:
     * an interrupt during a write would close the shared FileChannel, and with it the final progress checkpoint.
     */
    private static final class Round {
        volatile boolean stop;
        final CountDownLatch signal = new CountDownLatch(1);

        void stop() {
            stop = true;
            signal.countDown();
        }
    }

    /** Stops every connection; the partial data and its record stay for a later resume. */
    void cancel() {
        cancelled = true;
        round.stop();
        open.forEach(SafeHttp.Response::close);
    }

    Outcome run() {
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel = ch;
            direct = openDirect(data);
            boolean done = false;
            try {
                Outcome outcome = download(ch);
                done = true;
                return outcome;
            } finally {
                if (sink != null) {
                    sink.close();
                }
                if (direct != null) {
                    direct.close();
                }
                if (!done && ledger != null && Files.exists(data)) {
                    checkpoint(); // the channel is still open here: record what a resume can keep
                }
                synchronized (this) {
                    channel = null; // a background checkpoint still running finds it gone and writes nothing
                }
            }
        } catch (IOException e) {
            throw new AixclException.Failed("cannot write the download of " + source.label() + ": " + e.getMessage(), e);
        }
    }

    private Outcome download(FileChannel ch) throws IOException {
        long t0 = System.nanoTime();
        ledger = loadOrFresh(ch);
        sink = newSink(ch);
        long resumed = ledger.totalWritten();
        listener.started(ledger.size(), resumed);
        checkpoint();
        while (true) {
            try {
                runWorkers();
                break;
            } catch (RangesUnsupported e) {
                // The server answered a range with the whole body: fall back to one stream from byte 0.
                listener.transferred(-ledger.totalWritten());
                ledger = ChunkLedger.fresh(ledger.size(), Long.MAX_VALUE);
                sink.close();
                sink = newSink(ch);
            }
        }
        long size = ledger.size();
        long lastByte = System.nanoTime();
        Digest actual = sink.finish(size);
        long hashed = System.nanoTime();
        ch.force(true);
        long forced = System.nanoTime();
        int n;
        long slowest;
        synchronized (this) {
            n = checkpoints;
            slowest = slowestForceNanos;
        }
        LOG.log(System.Logger.Level.INFO, "downloaded {0}: {1} bytes ({2} resumed) in {3} ms: last byte at {4} ms, "
                        + "hash done {5} ms later, final fsync {6} ms; {7} checkpoints, slowest fsync {8} ms; {9} retries; "
                        + "connections {10}, writes {11} ({12})",
                source.label(), String.valueOf(size), String.valueOf(resumed), ms(forced - t0), ms(lastByte - t0),
                ms(hashed - lastByte), ms(forced - hashed), String.valueOf(n), ms(slowest), String.valueOf(retries.get()),
                String.valueOf(connections), direct != null && sink.writesDirectly() ? "direct" : "cached", sink.busy());
        if (source.expected().isPresent() && !source.expected().get().equals(actual)) {
            discard();
            throw new AixclException.Failed("digest mismatch for " + source.label() + ": expected "
                    + source.expected().get() + ", got " + actual + " (" + size + " bytes from "
                    + UrlPolicy.redact(source.uri()) + "); the partial download was discarded", null);
        }
        return new Outcome(actual, size, resumed);
    }

    private DigestingSink newSink(FileChannel ch) {
        // A buffer per connection, and a few more the hash may be behind by.
        return new DigestingSink(ch, ledger, settings.connectionsPerBlob() + 4,
                settings.connectionsPerBlob() * Math.min(ledger.chunkBytes(), settings.chunkBytes()), direct);
    }

    /** The partial file opened once more with O_DIRECT (see {@link DigestingSink}), or null where that is refused. */
    private static FileChannel openDirect(Path file) {
        try {
            if (Files.getFileStore(file).getBlockSize() > DigestingSink.ALIGN) {
                return null; // our buffers and writes are aligned to 4 KiB blocks, not larger ones
            }
            return FileChannel.open(file, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
        } catch (IOException | UnsupportedOperationException e) {
            return null; // tmpfs and others: every write goes through the page cache
        }
    }

    private void runWorkers() {
        var pending = new ConcurrentLinkedQueue<Integer>();
        for (int c = 0; c < ledger.chunks(); c++) {
            if (!ledger.chunkDone(c)) {
                pending.add(c);
            }
        }
        int n = Math.min(settings.connectionsPerBlob(), pending.size());
        Round current = new Round();
        round = current;
        if (cancelled) {
            current.stop();
        }
        // Platform threads: a connection blocks in a read syscall, not in a park, a poller and a carrier's wake-up (a
        // 1 GiB loopback pull: 1.20-1.31 s of daemon CPU against 1.30-1.57 s on virtual threads, 6 pulls each).
        ExecutorService exec = Executors.newThreadPerTaskExecutor(
                Thread.ofPlatform().daemon().name("aixcl-download-", 0).factory());
        try {
            List<Future<?>> mine = new ArrayList<>();
            java.util.concurrent.Callable<Void> worker = () -> {
                for (Integer c; (c = pending.poll()) != null; ) {
                    fetchChunk(c, current);
                }
                return null;
            };
            boolean ramp = n > 1 && settings.oneConnectionSuffices() != Long.MAX_VALUE;
            for (int i = 0; i < (ramp ? 1 : n); i++) {
                mine.add(exec.submit(worker));
            }
            connections = Math.max(connections, mine.size());
            if (ramp && rampUp(mine.get(0), current)) {
                for (int i = 1; i < n && !pending.isEmpty(); i++) {
                    mine.add(exec.submit(worker));
                }
                connections = Math.max(connections, mine.size());
            }
            RuntimeException failure = null;
            for (Future<?> f : mine) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException re ? re
                                : new AixclException.Failed("download of " + source.label() + " failed: " + e.getCause(), e.getCause());
                        current.stop(); // the others end at their next read or backoff
                        open.forEach(SafeHttp.Response::close);
                    }
                } catch (java.util.concurrent.CancellationException e) {
                    if (failure == null) {
                        failure = new AixclException.Cancelled("download of " + source.label() + " was cancelled");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancel();
                    throw new AixclException.Cancelled("download of " + source.label() + " was interrupted");
                }
            }
            if (cancelled) {
                throw new AixclException.Cancelled("download of " + source.label() + " was cancelled");
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            exec.shutdown(); // every worker has ended: nothing to interrupt
        }
    }

    /**
     * Whether to open the other connections: while the first one alone is running, every {@value #RAMP_NANOS} ns,
     * true once it delivered less than {@link ModelStoreSettings#oneConnectionSuffices} bytes per second in two such
     * windows in a row, not held back by the hash or the disk (one slow window alone was a loaded machine's dip: at
     * load 7 a loopback pull opened all four after one and took twice as long); false once it is done (or failed, or
     * the round stopped). Parallel ranges are there for links where one connection is slow (a far server, a throttled
     * one); where one is fast, more only cost CPU: the bytes they write ahead of the hash are written through the page
     * cache and read back (a quarter of a 1 GiB loopback pull's CPU).
     */
    private boolean rampUp(Future<?> first, Round current) {
        long before = ledger.totalWritten();
        long waitedBefore = sink.poolWaitNanos();
        int slow = 0;
        while (!first.isDone() && !current.stop) {
            try {
                first.get(RAMP_NANOS, TimeUnit.NANOSECONDS);
                return false;
            } catch (java.util.concurrent.TimeoutException e) {
                long now = ledger.totalWritten();
                long waited = sink.poolWaitNanos();
                slow = networkSlow(now - before, waited - waitedBefore, RAMP_NANOS, settings.oneConnectionSuffices())
                        ? slow + 1 : 0;
                waitedBefore = waited;
                if (slow == 2) {
                    return true;
                }
                before = now;
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                return false; // the caller reports it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * Whether a window of {@code windowNanos} in which one connection delivered {@code bytes} shows a slow network:
     * below {@code suffices} bytes per second, and not held back here (a connection that waited for a buffer, i.e. for
     * the hash or the disk, a quarter of the window is limited by them, and more connections cannot help).
     */
    static boolean networkSlow(long bytes, long waitedNanos, long windowNanos, long suffices) {
        return bytes * 1_000_000_000.0 / windowNanos < suffices && waitedNanos < windowNanos / 4;
    }

    private void fetchChunk(int c, Round current) {
        int failures = 0;
        while (!ledger.chunkDone(c)) {
            if (cancelled || current.stop) {
                throw new AixclException.Cancelled("download of " + source.label() + " was cancelled");
            }
            long before = ledger.written(c);
            try {
                fetchOnce(c);
                // Every byte of the chunk is in the sink; its last writes may still be under way (finish waits for
                // them), so the ledger is not asked: the next chunk's request goes out at once.
                return;
            } catch (Retryable e) {
                if (ledger.written(c) > before) {
                    failures = 0; // it made progress: only consecutive fruitless attempts count
                }
                failures++;
                if (failures >= settings.retry().maxAttempts()) {
                    throw new AixclException.Failed("giving up on " + source.label() + " after " + failures
                            + " failed attempts: " + e.getMessage(), null);
                }
                Duration delay = settings.retry().delay(failures);
                retries.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "retrying chunk {0} of {1} in {2} ms (attempt {3}): {4}",
                        String.valueOf(c), source.label(), String.valueOf(delay.toMillis()), String.valueOf(failures), e.getMessage());
                listener.retrying(failures, delay, e.getMessage());
                try {
                    if (current.signal.await(delay.toNanos(), TimeUnit.NANOSECONDS)) {
                        throw new AixclException.Cancelled("download of " + source.label() + " was cancelled");
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new AixclException.Cancelled("download of " + source.label() + " was cancelled");
                }
            }
        }
    }

    /** One request for what chunk {@code c} still lacks; returns once the sink has all of it. */
    private void fetchOnce(int c) {
        long from = ledger.start(c) + ledger.written(c);
        long end = ledger.end(c);
        boolean single = ledger.chunks() == 1;
        Map<String, String> headers = from > 0 || !single
                ? Map.of("Range", "bytes=" + from + "-" + (end == Long.MAX_VALUE ? "" : String.valueOf(end - 1)))
                : Map.of();
        SafeHttp.Response r;
        try {
            r = http.get(source.uri(), headers, source.allowInsecureHttp());
        } catch (SocketTimeoutException e) {
            throw new Retryable("no response within " + settings.stallTimeout().toSeconds() + " s");
        } catch (IOException e) {
            throw new Retryable("cannot connect: " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AixclException.Cancelled("download of " + source.label() + " was cancelled");
        }
        open.add(r);
        try {
            int status = r.status();
            switch (status) {
                case 200 -> {
                    if (from > 0 || !single) {
                        if (!single) {
                            throw new RangesUnsupported();
                        }
                        listener.transferred(-ledger.written(c));
                        ledger.reset(c);
                        sink.reset();
                        from = 0;
                    }
                    if (ledger.size() == ChunkLedger.UNKNOWN && r.contentLength() >= 0) {
                        checkLimit(r.contentLength());
                        ledger.resolveSize(r.contentLength());
                        end = ledger.end(c);
                    }
                }
                case 206 -> {
                    var m = CONTENT_RANGE.matcher(r.header("Content-Range").orElse(""));
                    if (!m.matches() || Long.parseLong(m.group(1)) != from) {
                        throw new AixclException.Failed("the server answered the range request for " + source.label()
                                + " from byte " + from + " with Content-Range '" + r.header("Content-Range").orElse("") + "'", null);
                    }
                    if (ledger.size() == ChunkLedger.UNKNOWN && !m.group(3).equals("*")) {
                        checkLimit(Long.parseLong(m.group(3)));
                        ledger.resolveSize(Long.parseLong(m.group(3)));
                        end = ledger.end(c);
                    }
                }
                case 416 -> {
                    if (ledger.size() == ChunkLedger.UNKNOWN && from > 0) {
                        ledger.resolveSize(from); // we already hold the whole body
                        return;
                    }
                    throw new AixclException.Failed("the server refused the range from byte " + from + " of " + source.label(), null);
                }
                case 404 -> throw new AixclException.NotFound(source.label() + " was not found at "
                        + UrlPolicy.redact(r.uri()) + " (HTTP 404)");
                case 408, 425, 429, 500, 502, 503, 504 -> throw new Retryable("HTTP " + status + " from " + r.uri().getHost());
                default -> {
                    if (status >= 500) {
                        throw new Retryable("HTTP " + status + " from " + r.uri().getHost());
                    }
                    throw new AixclException.Failed("HTTP " + status + " for " + source.label() + " from "
                            + UrlPolicy.redact(r.uri()), null);
                }
            }
            stream(r, c, from, end);
        } finally {
            open.remove(r);
            r.close();
        }
    }

    private void stream(SafeHttp.Response r, int c, long from, long end) {
        ByteBuffer buf;
        try {
            buf = sink.buffer();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AixclException.Cancelled("download of " + source.label() + " was cancelled");
        }
        long pos = from;
        boolean ended = false;
        try (StallWatchdog.Watch watch = watchdog.watch(r)) {
            boolean eof = false;
            while (!eof) {
                // Bytes written straight to the disk are not copied, so the cache argument below does not hold for
                // them: they fill the buffer (aligned: direct writes need whole blocks).
                boolean copied = !sink.writesDirect(pos);
                buf.limit(sink.fillLimit(pos, buf.capacity()));
                // Fill the buffer with what has arrived, then write it at once: fewer writes and hand-overs per byte
                // than one per read (a TLS read gives a record's 16 KiB). On plain http a read that empties the socket
                // ends the fill: the bytes are written while still in the CPU's cache (filling all 1 MiB first had
                // the file write copy them back from memory). Bytes are held at most
                // HOLD_NANOS, so a slow server's still reach the file, the hash and the progress as they come.
                IOException lost = null;
                long since = 0;
                do {
                    int n;
                    try {
                        n = r.read(buf);
                    } catch (IOException e) {
                        lost = e;
                        break;
                    }
                    if (n < 0) {
                        eof = true;
                        break;
                    }
                    watch.touch();
                    if (since == 0) {
                        since = System.nanoTime();
                    }
                    if (buf.position() > end - pos) {
                        throw new AixclException.Failed("the server sent more than the " + (end - from) + " bytes expected for "
                                + source.label() + " from byte " + from, null);
                    }
                    checkLimit(pos + buf.position());
                } while (buf.hasRemaining() && !(copied && r.drained()) && System.nanoTime() - since < HOLD_NANOS);
                int filled = buf.position();
                if (filled > 0) { // what arrived before a lost connection is kept too
                    try {
                        while (sink.mustWait(pos)) {
                            if (cancelled || round.stop) {
                                throw new AixclException.Cancelled("download of " + source.label() + " was cancelled");
                            }
                            watch.touch(); // waiting for the hash is not a stall
                            Thread.sleep(2);
                        }
                        buf = sink.write(c, pos, buf.flip());
                    } catch (IOException e) {
                        throw new AixclException.Failed("cannot write the download of " + source.label() + ": " + e.getMessage(), e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AixclException.Cancelled("download of " + source.label() + " was cancelled");
                    }
                    pos += filled;
                    listener.transferred(filled);
                    checkpointSoon(false);
                }
                if (lost != null) {
                    // The watchdog closed a read that got nothing for the stall timeout, or the socket's own timeout
                    // (the same length) ended it first.
                    if (watch.stalled() || lost instanceof SocketTimeoutException) {
                        throw stalled(pos - from);
                    }
                    if (cancelled || round.stop) {
                        throw new AixclException.Cancelled("download of " + source.label() + " was cancelled");
                    }
                    throw new Retryable("connection lost after " + (pos - from) + " bytes: " + describe(lost));
                }
            }
            if (watch.stalled()) {
                throw stalled(pos - from);
            }
            if (cancelled || round.stop) {
                throw new AixclException.Cancelled("download of " + source.label() + " was cancelled");
            }
            ended = true;
        } finally {
            sink.release(buf);
            if (!ended) {
                // A retry starts where the written bytes end: the writes under way finish first. Waiting for them
                // after every chunk as well emptied the write and hash pipeline 16 times per GiB.
                try {
                    sink.flush();
                } catch (IOException e) {
                    // this stream's own failure is the one reported; a failed write fails the next write or finish
                }
            }
        }
        if (end == Long.MAX_VALUE) {
            ledger.resolveSize(pos);
            return;
        }
        if (pos < end) {
            throw new Retryable(pos == from
                    ? "the server sent an empty body (expected " + (end - from) + " bytes from byte " + from + ")"
                    : "the body ended after " + (pos - from) + " of " + (end - from) + " bytes");
        }
        checkpointSoon(true);
    }

    private Retryable stalled(long got) {
        return new Retryable("stalled: no bytes for " + settings.stallTimeout().toMillis() + " ms after " + got + " bytes");
    }

    private void checkLimit(long bytes) {
        if (bytes > settings.maxBlobBytes()) {
            throw new AixclException.Failed(source.label() + " is larger than the limit of " + settings.maxBlobBytes() + " bytes", null);
        }
    }

    /**
     * The chunk size for a blob of {@code size} bytes: {@code preferred}, or larger when that would make more than
     * {@value #MAX_CHUNKS} chunks (the progress record lists every chunk and is rewritten every second).
     */
    static long chunkBytes(long size, long preferred) {
        if (size <= 0 || (size + preferred - 1) / preferred <= MAX_CHUNKS) {
            return preferred;
        }
        long mib = 1L << 20;
        return ((size + MAX_CHUNKS - 1) / MAX_CHUNKS + mib - 1) / mib * mib;
    }

    private ChunkLedger loadOrFresh(FileChannel ch) throws IOException {
        ChunkLedger planned = ChunkLedger.fresh(source.size(), chunkBytes(source.size(), settings.chunkBytes()));
        Optional<PartialRecord> rec = PartialRecord.load(recordFile);
        if (rec.isPresent() && rec.get().size() == source.size()) {
            PartialRecord r = rec.get();
            // Any plan the record describes consistently resumes, not only today's: a partial made with another
            // chunk size (an older version, another setting) keeps its bytes.
            long cb = r.chunkBytes();
            boolean singleStream = r.written().length == 1 && cb == Long.MAX_VALUE;
            boolean consistentPlan = cb > 0 && r.size() > cb && (r.size() + cb - 1) / cb == r.written().length;
            if (consistentPlan || singleStream) {
                var loaded = new ChunkLedger(r.size(), r.chunkBytes(), new long[r.written().length]);
                long fileLength = ch.size();
                for (int i = 0; i < r.written().length; i++) {
                    long chunkLength = loaded.end(i) == Long.MAX_VALUE ? Long.MAX_VALUE : loaded.end(i) - loaded.start(i);
                    long onDisk = Math.max(0, fileLength - loaded.start(i));
                    loaded.add(i, Math.min(r.written()[i], Math.min(chunkLength, onDisk)));
                }
                return loaded;
            }
        }
        ch.truncate(0);
        return planned;
    }

    /**
     * A checkpoint on a thread of its own, so no connection waits for the disk. Every second, and after every
     * {@value #CHECKPOINT_BYTES} bytes: flushing as the bytes come keeps the fsync before publishing short (a
     * second of loopback download is hundreds of MB to write out at the end).
     */
    private void checkpointSoon(boolean now) {
        long t = System.nanoTime();
        long written = ledger.totalWritten();
        if (!now && t - lastCheckpoint < CHECKPOINT_NANOS && written - lastCheckpointBytes < CHECKPOINT_BYTES) {
            return;
        }
        if (checkpointing.compareAndSet(false, true)) {
            lastCheckpoint = t;
            lastCheckpointBytes = written;
            Thread.ofVirtual().name("aixcl-checkpoint").start(() -> {
                try {
                    checkpoint();
                } finally {
                    checkpointing.set(false);
                }
            });
        }
    }

    /** Writes the progress record, after forcing the data it describes. */
    private synchronized void checkpoint() {
        lastCheckpoint = System.nanoTime();
        ChunkLedger l = ledger;
        long[] snapshot = l.snapshot(); // taken before the force, so the record never claims unforced bytes
        try {
            FileChannel ch = channel;
            if (ch == null || !ch.isOpen()) {
                return;
            }
            long t = System.nanoTime();
            ch.force(false);
            checkpoints++;
            slowestForceNanos = Math.max(slowestForceNanos, System.nanoTime() - t);
            new PartialRecord(UrlPolicy.redact(source.uri()), l.size(), l.chunkBytes(), snapshot).save(recordFile);
        } catch (IOException | RuntimeException e) {
            // A missed checkpoint costs re-downloading a little after a crash, never correctness.
        }
    }

    private void discard() {
        BlobStore.deleteQuietly(recordFile);
        try {
            if (channel != null) {
                channel.truncate(0);
            }
            Files.deleteIfExists(data);
        } catch (IOException ignored) {
            // gc removes what is left
        }
    }

    private static String ms(long nanos) {
        return String.valueOf(nanos / 1_000_000);
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " (" + m + ")");
    }

    /** A failure worth another attempt: a dropped or stalled connection, a short body, a 5xx. */
    static final class Retryable extends RuntimeException {
        Retryable(String message) {
            super(message, null, false, false);
        }
    }

    private static final class RangesUnsupported extends RuntimeException {
        RangesUnsupported() {
            super("the server ignores Range requests", null, false, false);
        }
    }
}
