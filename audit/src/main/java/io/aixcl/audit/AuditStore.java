package io.aixcl.audit;

import io.aixcl.core.audit.AuditEvent;
import io.aixcl.core.audit.AuditLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The audit log on disk, as the daemon uses it: {@link #open} verifies it against the witness (and refuses a log that
 * does not match), {@link #append} returns once the entry is durable, checkpoints are signed in the background and at
 * {@link #close}. Thread-safe; appends from many threads share fsyncs (see {@link GroupCommit}).
 */
public final class AuditStore implements AuditLog {

    static final String KEY_FILE = "checkpoint.key";
    public static final String PUBLIC_KEY_FILE = "checkpoint.pub";

    /** What happened while opening: the verification, a trimmed torn tail, an override. */
    public record OpenReport(Verification verification, long trimmedBytes, boolean overridden) {}

    private final AuditStoreConfig config;
    private final NoteSigner signer;
    private final GroupCommit commits;
    final Checkpointer checkpointer; // package-private: tests read its wake-ups
    private final OpenReport openReport;
    private final FileLock lock;
    private final ReentrantLock sizeLock = new ReentrantLock();
    private final Condition grown = sizeLock.newCondition();
    private volatile TreeHead head;
    private volatile boolean closed;

    private AuditStore(AuditStoreConfig config, NoteSigner signer, LogScan scan, TreeHead witnessed,
                       Optional<String> latestNote, OpenReport openReport, FileLock lock) throws IOException {
        this.config = config;
        this.lock = lock;
        this.signer = signer;
        this.openReport = openReport;
        this.head = new TreeHead(scan.size(), scan.tree().root());
        this.checkpointer = new Checkpointer(signer, config.dataDir(), config.witnessDir(),
                config.checkpointEveryEntries(), config.checkpointInterval(), head, witnessed, latestNote);
        SegmentWriter segments = SegmentWriter.open(config.dataDir(), config.segmentBytes(), scan.lastSegment(),
                scan.lastSegmentValidBytes());
        this.commits = new GroupCommit(segments, scan.tree().copy(), scan.lastLeaf(), this::committed,
                config.deferredWindow());
    }

    /**
     * Opens the log in {@code config.dataDir()}, creating it (and its signing key) if the folder holds none. Checks
     * every record and the latest witnessed checkpoint first; trims a torn last record and records the trim.
     *
     * @throws AuditLogRefusedException if the log does not match its witness and {@code config.override()} is off,
     *                                  or if records in it are damaged (which no override can repair)
     */
    public static AuditStore open(AuditStoreConfig config) throws IOException {
        Objects.requireNonNull(config, "config is null");
        Path data = config.dataDir();
        Path witness = config.witnessDir();
        createPrivateDirectories(data);
        Files.createDirectories(witness);
        FileLock lock = lockExclusively(data);
        try {
            return openLocked(config, lock);
        } catch (IOException | RuntimeException e) {
            lock.channel().close();
            throw e;
        }
    }

    /** One store per folder: two writers would interleave records and break the chain. */
    private static FileLock lockExclusively(Path data) throws IOException {
        FileChannel ch = FileChannel.open(data.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw new IOException("the audit log in " + data + " is already open in another process");
        }
        return lock;
    }

    private static AuditStore openLocked(AuditStoreConfig config, FileLock lock) throws IOException {
        Path data = config.dataDir();
        Path witness = config.witnessDir();
        DurableFiles.removeLeftovers(data);
        DurableFiles.removeLeftovers(witness);
        List<String> setupProblems = new ArrayList<>();

        boolean fresh = Segments.list(data).isEmpty() && !Files.exists(data.resolve(KEY_FILE))
                && !Files.exists(data.resolve(AuditVerifier.CHECKPOINT_FILE));
        NoteSigner signer;
        if (Files.exists(data.resolve(KEY_FILE))) {
            signer = SigningKeyFiles.read(data.resolve(KEY_FILE), data.resolve(PUBLIC_KEY_FILE));
        } else {
            if (!fresh) {
                setupProblems.add("the signing key " + data.resolve(KEY_FILE) + " is missing");
            }
            signer = SigningKeyFiles.generate(config.origin());
            if (fresh || config.override()) {
                Files.deleteIfExists(data.resolve(PUBLIC_KEY_FILE));
                SigningKeyFiles.write(signer, data.resolve(KEY_FILE), data.resolve(PUBLIC_KEY_FILE));
            }
        }
        Path witnessKey = witness.resolve(PUBLIC_KEY_FILE);
        NoteVerifier trusted;
        if (Files.exists(witnessKey)) {
            trusted = SigningKeyFiles.readPublic(witnessKey);
            if (!trusted.equals(signer.verifier())) {
                setupProblems.add("the signing key in " + data + " is not the trusted key in " + witnessKey);
            }
        } else {
            if (!fresh || Files.exists(witness.resolve(AuditVerifier.CHECKPOINT_FILE))) {
                setupProblems.add("the witness folder " + witness + " has no trusted key for this log");
            }
            trusted = signer.verifier();
            if (fresh) {
                SigningKeyFiles.writePublic(trusted, witnessKey);
            }
        }

        List<WitnessedCheckpoint> checkpoints = WitnessedCheckpoint.read(data.resolve(AuditVerifier.CHECKPOINT_FILE),
                Optional.of(witness.resolve(AuditVerifier.CHECKPOINT_FILE)), trusted);
        LogScan scan = LogScanner.scan(data, AuditVerifier.sizesOf(checkpoints));
        long trimmed = 0;
        if (scan.onlyTornTail()) {
            trimmed = trim(scan);
        }
        Verification verification = AuditVerifier.judge(scan, checkpoints, false);
        if (verification instanceof Verification.Valid valid && !setupProblems.isEmpty()) {
            verification = new Verification.Invalid(valid.witnessedSize(), String.join("; ", setupProblems));
        }
        boolean overridden = false;
        if (verification instanceof Verification.Invalid invalid) {
            boolean damaged = scan.problem().isPresent() && !scan.onlyTornTail();
            if (damaged) {
                throw new AuditLogRefusedException(invalid, "Damaged records cannot be overridden: move " + data
                        + " aside to keep it as evidence, and start a new log.");
            }
            if (!config.override()) {
                throw new AuditLogRefusedException(invalid, "If this is expected (a restored backup, a moved "
                        + "witness), start once with the audit override; the override is recorded in the log.");
            }
            overridden = true;
            // Re-anchor: from now on the witness vouches for the log as it is, and the override entry says why.
            SigningKeyFiles.writePublic(signer.verifier(), witnessKey);
        }

        TreeHead witnessed = new TreeHead(0, TreeHashing.EMPTY_ROOT);
        Optional<String> latestNote = Optional.empty();
        if (!overridden) {
            for (WitnessedCheckpoint w : checkpoints) {
                if (w.witness() && w.checkpoint().isPresent()) {
                    Checkpoint c = w.checkpoint().get();
                    witnessed = new TreeHead(c.size(), c.root());
                    latestNote = Optional.of(Files.readString(w.file()));
                }
            }
        }
        AuditStore store = new AuditStore(config, signer, scan, witnessed, latestNote,
                new OpenReport(verification, trimmed, overridden), lock);
        try {
            if (trimmed > 0) {
                LogScan.Problem torn = scan.problem().orElseThrow();
                store.append(daemonEvent("audit.trim", scan.lastSegment().orElseThrow().getFileName().toString(),
                        Map.of("bytes", Long.toString(trimmed), "offset", Long.toString(scan.lastSegmentValidBytes()),
                                "entry", Long.toString(torn.index())),
                        "a torn record at the end of the log was cut at start: " + torn.reason()));
            }
            if (overridden) {
                Verification.Invalid invalid = (Verification.Invalid) verification;
                store.append(daemonEvent("audit.override", data.toString(),
                        Map.of("firstBadIndex", Long.toString(invalid.firstBadIndex()),
                                "size", Long.toString(scan.size()),
                                "key", signer.verifier().format()),
                        "opened despite a failed verification; witness re-anchored: " + invalid.reason()));
            }
            if (store.head.size() > witnessed.size()) {
                store.checkpointer.writeCommitted();
            }
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private static AuditEvent daemonEvent(String action, String target, Map<String, String> parameters, String detail) {
        return new AuditEvent(Instant.now(), AuditEvent.Actor.daemon(), action, target, new LinkedHashMap<>(parameters),
                AuditEvent.Outcome.SUCCEEDED, detail);
    }

    private static long trim(LogScan scan) throws IOException {
        Path segment = scan.lastSegment().orElseThrow();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            long cut = ch.size() - scan.lastSegmentValidBytes();
            ch.truncate(scan.lastSegmentValidBytes());
            ch.force(true);
            return cut;
        }
    }

    private static void createPrivateDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    private void committed(TreeHead h) {
        head = h;
        checkpointer.committed(h);
        sizeLock.lock();
        try {
            grown.signalAll();
        } finally {
            sizeLock.unlock();
        }
    }

    /**
     * Appends {@code event} and returns once it is on disk.
     *
     * @throws UncheckedIOException  if it could not be made durable (the log then refuses all further appends)
     * @throws IllegalStateException if the store is closed
     */
    @Override
    public AuditReceipt append(AuditEvent event) {
        try {
            return appendAsync(event).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /**
     * Encodes {@code event} and queues it for the next group commit; the future completes once it is on disk. The
     * guarantees are {@link #append}'s: the caller just need not park a thread while the fsync runs.
     *
     * @throws UncheckedIOException  if the log has failed (it then refuses all further appends)
     * @throws IllegalStateException if the store is closed
     */
    @Override
    public CompletableFuture<AuditReceipt> appendAsync(AuditEvent event) {
        Objects.requireNonNull(event, "event is null");
        return commits.submit(CanonicalEntry.encode(event), false);
    }

    /**
     * As {@link #appendAsync}, but the entry may wait up to {@link AuditStoreConfig#deferredWindow()} for its commit,
     * unless an entry someone waits on (or a full batch) comes first. A crash in that window loses it.
     */
    @Override
    public CompletableFuture<AuditReceipt> appendDeferred(AuditEvent event) {
        Objects.requireNonNull(event, "event is null");
        return commits.submit(CanonicalEntry.encode(event), true);
    }

    /** Group commits (write and fsync) made since open; for tests. */
    long commitBatches() {
        return commits.batches();
    }

    /** Entries durable so far, and the root over them. */
    public TreeHead head() {
        return head;
    }

    public long size() {
        return head.size();
    }

    /** Waits until the log has more than {@code size} entries or {@code timeout} passes; returns the size then. */
    public long awaitSize(long size, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        sizeLock.lock();
        try {
            while (head.size() <= size && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                grown.awaitNanos(left);
            }
            return head.size();
        } finally {
            sizeLock.unlock();
        }
    }

    /** Up to {@code max} durable entries starting at {@code from}. */
    public List<AuditRecord> read(long from, int max) throws IOException {
        return AuditReader.read(config.dataDir(), from, max, head.size());
    }

    /** The latest signed checkpoint (C2SP tlog-checkpoint text), if one was written. */
    public Optional<String> latestCheckpoint() {
        return checkpointer.latestNote();
    }

    /** Signs and writes a checkpoint of everything durable now (unless one for this size exists); returns it. */
    public String checkpoint() throws IOException {
        return checkpointer.writeCommitted();
    }

    /** Why the last background checkpoint failed, if it did (it is retried): for `aixcl doctor`. */
    public Optional<String> checkpointProblem() {
        return checkpointer.lastError();
    }

    public InclusionProof proveInclusion(long index, long treeSize) throws IOException {
        requireSize(treeSize);
        return InclusionProof.build(AuditReader.leafHashes(config.dataDir(), treeSize), index, treeSize);
    }

    public ConsistencyProof proveConsistency(long fromSize, long toSize) throws IOException {
        requireSize(toSize);
        return ConsistencyProof.build(AuditReader.leafHashes(config.dataDir(), toSize), fromSize, toSize);
    }

    private void requireSize(long treeSize) {
        if (treeSize > head.size()) {
            throw new IllegalArgumentException("the log has " + head.size() + " entries, not " + treeSize);
        }
    }

    /** The key checkpoints are signed with, in signed-note verifier key form. */
    public NoteVerifier publicKey() {
        return signer.verifier();
    }

    public OpenReport openReport() {
        return openReport;
    }

    /** Settles every pending append, writes a final checkpoint, and closes the files. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        try {
            commits.close();
        } catch (IOException e) {
            failure = e;
        }
        checkpointer.close();
        if (commits.failure() == null) {
            try {
                checkpointer.writeCommitted();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        sizeLock.lock();
        try {
            grown.signalAll();
        } finally {
            sizeLock.unlock();
        }
        try {
            lock.channel().close();
        } catch (IOException e) {
            failure = failure == null ? e : failure;
        }
        if (failure != null) {
            throw new UncheckedIOException("closing the audit log", failure);
        }
    }
}
