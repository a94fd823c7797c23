package io.aixcl.audit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Signs checkpoints of the committed tree every N entries or T seconds (whichever comes first, and only when there is
 * something new) and writes each to the data folder and the witness folder. It runs on its own thread so that
 * signing and four fsyncs never hold up the appenders. The N-entry trigger fires at most once a second (or once per T
 * if that is shorter): at gateway rates (~20,000 entries a second) every 1,000 entries would be 20 signatures and 80
 * fsyncs a second, ~2% of the daemon's CPU, for a tail left unwitnessed a few milliseconds less.
 */
final class Checkpointer implements AutoCloseable {

    static final long MIN_SPACING_NANOS = 1_000_000_000L;

    private final NoteSigner signer;
    private final Path dataFile;
    private final Path witnessFile;
    private final long everyEntries;
    private final long intervalNanos;
    private final long minSpacingNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition due = lock.newCondition();
    private final ReentrantLock writing = new ReentrantLock();
    private final Thread thread;
    private volatile TreeHead committed;
    private volatile TreeHead written;
    private volatile String latestNote;
    private volatile String lastError;
    private volatile long writtenAtNanos = System.nanoTime();
    /** When the N-entry trigger may fire next: at once after open, then a spacing after each write. */
    private volatile long countTriggerAtNanos = writtenAtNanos;
    private volatile boolean sleepingForSpacing;
    private boolean closing;
    private long wakeUps;

    Checkpointer(NoteSigner signer, Path dataDir, Path witnessDir, long everyEntries, Duration interval,
                 TreeHead committed, TreeHead alreadyWitnessed, Optional<String> latestNote) {
        this.signer = signer;
        this.dataFile = dataDir.resolve(AuditVerifier.CHECKPOINT_FILE);
        this.witnessFile = witnessDir.resolve(AuditVerifier.CHECKPOINT_FILE);
        this.everyEntries = everyEntries;
        this.intervalNanos = interval.toNanos();
        this.minSpacingNanos = Math.min(MIN_SPACING_NANOS, intervalNanos);
        this.committed = committed;
        this.written = alreadyWitnessed;
        this.latestNote = latestNote.orElse(null);
        this.thread = Thread.ofPlatform().name("audit-checkpointer").daemon().unstarted(this::run);
        thread.start();
    }

    /** Called by the writer after each durable batch. */
    void committed(TreeHead head) {
        committed = head;
        // Once the thread sleeps until the spacing allows the next checkpoint, further batches need not wake it.
        if (head.size() - written.size() >= everyEntries && !sleepingForSpacing) {
            lock.lock();
            try {
                due.signal();
            } finally {
                lock.unlock();
            }
        }
    }

    private void run() {
        lock.lock();
        try {
            while (!closing) {
                long now = System.nanoTime();
                long waited = now - writtenAtNanos;
                TreeHead head = committed;
                boolean something = head.size() > written.size();
                boolean enough = head.size() - written.size() >= everyEntries;
                if (something && (enough && now - countTriggerAtNanos >= 0 || waited >= intervalNanos)) {
                    lock.unlock();
                    try {
                        write(head);
                    } catch (IOException | RuntimeException e) {
                        lastError = e.toString(); // retried at the next trigger; the store reports it
                    } finally {
                        lock.lock();
                    }
                    continue;
                }
                // With nothing new, a whole interval: counting down from the last write would, once an interval
                // has passed with nothing to sign, wait 1 ms again and again (an idle daemon woke 1,000 times a
                // second). An entry that comes meanwhile is signed at most one interval later.
                long timeout = !something ? intervalNanos
                        : Math.max(1_000_000, enough ? countTriggerAtNanos - now : intervalNanos - waited);
                wakeUps++;
                sleepingForSpacing = something && enough;
                try {
                    due.await(timeout, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    return;
                } finally {
                    sleepingForSpacing = false;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Signs and writes a checkpoint of {@code head} unless a newer one is already written; returns the latest. */
    String write(TreeHead head) throws IOException {
        writing.lock();
        try {
            if (head.size() < written.size() || head.size() == written.size() && latestNote != null) {
                return latestNote; // checkpoints never go backwards
            }
            String note = new Checkpoint(signer.verifier().name(), head.size(), head.root()).sign(signer);
            // The witness first: it is the copy outside the attacker's reach, and the one that must not lag.
            DurableFiles.writeAtomically(witnessFile, note);
            DurableFiles.writeAtomically(dataFile, note);
            written = head;
            latestNote = note;
            lastError = null;
            writtenAtNanos = System.nanoTime();
            countTriggerAtNanos = writtenAtNanos + minSpacingNanos;
            return note;
        } finally {
            writing.unlock();
        }
    }

    String writeCommitted() throws IOException {
        return write(committed);
    }

    /** How many times the thread has waited (for tests: an idle log must not spin). */
    long wakeUps() {
        lock.lock();
        try {
            return wakeUps;
        } finally {
            lock.unlock();
        }
    }

    Optional<String> latestNote() {
        return Optional.ofNullable(latestNote);
    }

    Optional<String> lastError() {
        return Optional.ofNullable(lastError);
    }

    /** Stops the thread; the caller writes the final checkpoint. */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            due.signal();
        } finally {
            lock.unlock();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
