package io.aixcl.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.FutureTask;

/**
 * Checks an audit log from its files alone (no daemon): every record's frame, link and leaf hash, then the tree
 * against every checkpoint signed by the trusted key, the data folder's own and the witness's.
 */
public final class AuditVerifier {

    static final String CHECKPOINT_FILE = "checkpoint";

    private AuditVerifier() {}

    /**
     * @param witness a checkpoint file, or a witness folder holding one ({@value #CHECKPOINT_FILE}); empty to check
     *                against the data folder's own checkpoint only
     * @param trusted the log's public key, from somewhere the log's writer cannot change (the witness folder)
     */
    public static Verification verify(Path dataDir, Optional<Path> witness, NoteVerifier trusted) throws IOException {
        Objects.requireNonNull(trusted, "trusted is null");
        return verify(dataDir, witness, () -> trusted);
    }

    /** The trusted key, read when {@link #verify(Path, Optional, KeySource)} needs it. */
    @FunctionalInterface
    interface KeySource {
        NoteVerifier get() throws IOException;
    }

    /**
     * As {@link #verify(Path, Optional, NoteVerifier)}, with the key read and the checkpoints' signatures checked
     * while the log is being scanned (they took ~0.1 s of the start, before the scan). The scan is given the sizes
     * the notes claim, before their signatures are checked: it only keeps the tree's root at each, so a note that
     * then fails its check costs one root kept for nothing. Both read the same texts, so every trusted checkpoint's
     * size has its root.
     */
    static Verification verify(Path dataDir, Optional<Path> witness, KeySource key) throws IOException {
        List<WitnessedCheckpoint.Note> notes = WitnessedCheckpoint.load(dataDir.resolve(CHECKPOINT_FILE),
                witness.map(AuditVerifier::checkpointFile));
        NavigableSet<Long> sizes = new TreeSet<>();
        notes.forEach(n -> n.claimedSize().ifPresent(sizes::add));
        // Mapped reads: their mappings last until the GC frees them, which for the CLI's verify is when it ends.
        FutureTask<LogScan> scan = new FutureTask<>(() -> LogScanner.scan(dataDir, sizes, true));
        Thread scanning = new Thread(scan, "audit-verify");
        scanning.setDaemon(true);
        scanning.start();
        try {
            NoteVerifier trusted = Objects.requireNonNull(key.get(), "trusted is null");
            List<WitnessedCheckpoint> checkpoints = WitnessedCheckpoint.open(notes, trusted);
            return judge(LogScanner.await(scan), checkpoints, true);
        } finally {
            scan.cancel(true); // a no-op once it is done; stops the scan if the key could not be read
        }
    }

    static Path checkpointFile(Path fileOrDir) {
        return Files.isDirectory(fileOrDir) ? fileOrDir.resolve(CHECKPOINT_FILE) : fileOrDir;
    }

    static NavigableSet<Long> sizesOf(List<WitnessedCheckpoint> checkpoints) {
        NavigableSet<Long> sizes = new TreeSet<>();
        checkpoints.forEach(w -> w.checkpoint().ifPresent(c -> sizes.add(c.size())));
        return sizes;
    }

    /**
     * Combines what the records say with what the checkpoints say and reports the earliest problem. A torn tail is a
     * problem for the verifier; the store trims it first and passes {@code tornTailIsProblem = false}.
     */
    static Verification judge(LogScan scan, List<WitnessedCheckpoint> checkpoints, boolean tornTailIsProblem) {
        List<WitnessedCheckpoint> trusted = new ArrayList<>(checkpoints.stream()
                .filter(w -> w.checkpoint().isPresent()).toList());
        trusted.sort(Comparator.comparingLong(w -> w.checkpoint().orElseThrow().size()));
        // Whoever holds the data folder may hold the signing key too, so only the witness's copy bounds where a
        // change can be; without a witness, the data folder's own checkpoint is all there is.
        boolean haveWitness = checkpoints.stream().anyMatch(WitnessedCheckpoint::witness);
        // Records past a problem were not read, so checkpoints can only be compared within the sound prefix.
        long sound = scan.size();
        long vouched = 0;
        long anchored = 0;
        for (WitnessedCheckpoint w : trusted) {
            Checkpoint c = w.checkpoint().orElseThrow();
            if (c.size() <= sound && c.root().equals(scan.rootsAt().get(c.size()))) {
                vouched = Math.max(vouched, c.size());
                if (w.witness() || !haveWitness) {
                    anchored = Math.max(anchored, c.size());
                }
            }
        }
        // Problems in order of preference when two name the same position: the records' own, then checkpoints'.
        List<Verification.Invalid> problems = new ArrayList<>();
        scan.problem().filter(p -> tornTailIsProblem || !p.tornTail())
                .ifPresent(p -> problems.add(new Verification.Invalid(p.index(), p.reason())));
        for (WitnessedCheckpoint w : trusted) {
            Checkpoint c = w.checkpoint().orElseThrow();
            if (c.size() > sound) {
                problems.add(new Verification.Invalid(sound, "the log has " + sound + " sound entries but "
                        + w.file() + ", signed by the trusted key, vouches for " + c.size() + ": entries from "
                        + sound + " on are missing or damaged (truncated, or rolled back to an older copy)"));
            } else if (!c.root().equals(scan.rootsAt().get(c.size()))) {
                long bound = Math.min(anchored, c.size());
                problems.add(new Verification.Invalid(bound, "the first " + c.size() + " entries do not hash to "
                        + "the root that " + w.file() + ", signed by the trusted key, records: the history was "
                        + "rewritten at or after entry " + bound));
            }
        }
        for (WitnessedCheckpoint w : checkpoints) {
            long at = Math.min(anchored, sound);
            w.untrusted().ifPresent(why -> problems.add(new Verification.Invalid(at, "checkpoint " + w.file() + " "
                    + why + "; entries from " + at + " on are vouched for by no trusted checkpoint")));
        }
        if (problems.isEmpty()) {
            return new Verification.Valid(scan.size(), scan.tree().root(), vouched);
        }
        // min keeps the first of equals, so the order above decides ties.
        return problems.stream().min(Comparator.comparingLong(Verification.Invalid::firstBadIndex)).orElseThrow();
    }
}
