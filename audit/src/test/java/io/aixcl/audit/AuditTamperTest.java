package io.aixcl.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.audit.AuditEvent;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of random tamperings of a real log, each checked by {@link AuditVerifier} against the witness: every one
 * is reported at the first position it makes untrustworthy, and an untouched copy verifies clean.
 */
class AuditTamperTest {

    private static final int ENTRIES = 200;
    private static final int TRIALS = 2000;

    @TempDir
    static Path tmp;

    private static Path pristineData;
    private static Path witness;
    private static NoteVerifier trusted;
    private static NoteSigner logKey;
    /** Keys a forger might sign with; made once, since making an Ed25519 key takes milliseconds. */
    private static final List<NoteSigner> OTHER_KEYS = new ArrayList<>();
    /** The pristine log: each segment's first index and its records' frames. */
    private static final List<Segment> PRISTINE = new ArrayList<>();

    record Segment(long start, List<byte[]> frames) {
        Segment copy() {
            return new Segment(start, new ArrayList<>(frames));
        }
    }

    enum Tampering { FLIP_RECORD_BYTE, FLIP_CHECKPOINT_BYTE, DELETE, INSERT_FORGED, REORDER, DUPLICATE, TRUNCATE,
        ROLL_BACK, REWRITE_WITH_ANOTHER_KEY, REWRITE_WITH_THE_STOLEN_KEY }

    @BeforeAll
    static void writeARealLog() throws Exception {
        pristineData = tmp.resolve("pristine/audit");
        witness = tmp.resolve("witness");
        AuditStoreConfig config = AuditStoreConfig.of(pristineData, witness).withSegmentBytes(8 * 1024)
                .withCheckpoints(50, Duration.ofMinutes(5));
        try (AuditStore store = AuditStore.open(config)) {
            for (int i = 0; i < ENTRIES; i++) {
                store.append(Events.event(i));
            }
        }
        trusted = SigningKeyFiles.readPublic(witness.resolve("checkpoint.pub"));
        for (int i = 0; i < 3; i++) {
            OTHER_KEYS.add(SigningKeyFiles.generate(trusted.name()));
        }
        logKey = SigningKeyFiles.read(pristineData.resolve("checkpoint.key"), pristineData.resolve("checkpoint.pub"));
        for (var e : Segments.list(pristineData).entrySet()) {
            List<byte[]> frames = new ArrayList<>();
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(e.getValue()));
            while (b.hasRemaining()) {
                byte[] frame = new byte[RecordFormat.HEADER + b.getInt(b.position())];
                b.get(frame);
                frames.add(frame);
            }
            PRISTINE.add(new Segment(e.getKey(), frames));
        }
        assertThat(PRISTINE).hasSizeGreaterThan(4);
    }

    @Test
    void theUntouchedLogVerifiesClean() throws Exception {
        Verification v = AuditVerifier.verify(pristineData, Optional.of(witness), trusted);
        assertThat(v).isEqualTo(new Verification.Valid(ENTRIES, AuditStoreTest.rootOf(ENTRIES), ENTRIES));
        Path copy = tmp.resolve("copy");
        writeLog(copy, copyOf(PRISTINE), Files.readString(pristineData.resolve("checkpoint")));
        assertThat(AuditVerifier.verify(copy, Optional.of(witness), trusted)).isEqualTo(v);
    }

    @Test
    void everyRandomTamperingIsReportedAtItsFirstBadPosition() throws Exception {
        Random random = new Random(0xA0D17L);
        Map<Tampering, Integer> counts = new EnumMap<>(Tampering.class);
        Path dir = tmp.resolve("trial");
        for (int trial = 0; trial < TRIALS; trial++) {
            Tampering kind = Tampering.values()[random.nextInt(Tampering.values().length)];
            Expected expected = tamper(kind, dir, random);
            Verification v = AuditVerifier.verify(dir, Optional.of(witness), trusted);
            String what = "trial " + trial + ": " + kind + " expecting " + expected + ", got " + v;
            assertThat(v).as(what).isInstanceOf(Verification.Invalid.class);
            Verification.Invalid invalid = (Verification.Invalid) v;
            if (expected.exact()) {
                assertThat(invalid.firstBadIndex()).as(what).isEqualTo(expected.index());
            } else {
                // Without the original entries the change can only be bounded: never reported after it.
                assertThat(invalid.firstBadIndex()).as(what).isLessThanOrEqualTo(expected.index());
                assertThat(invalid.reason()).as(what).contains("rewritten");
            }
            counts.merge(kind, 1, Integer::sum);
        }
        assertThat(counts).hasSize(Tampering.values().length);
    }

    @Test
    void aForgedRecordAppendedPastTheLastCheckpointIsReportedAsUnwitnessed() throws Exception {
        List<Segment> log = copyOf(PRISTINE);
        log.getLast().frames().add(forged(ENTRIES, leafOf(log, ENTRIES - 1)));
        Path dir = tmp.resolve("appended");
        writeLog(dir, log, Files.readString(pristineData.resolve("checkpoint")));
        // A well-formed append needs no key; what the verifier can say is that no checkpoint vouches for it.
        assertThat(AuditVerifier.verify(dir, Optional.of(witness), trusted)).isInstanceOfSatisfying(
                Verification.Valid.class, v -> assertThat(v.witnessedSize()).isEqualTo(ENTRIES).isLessThan(v.size()));
    }

    /** Where verify must report a tampering: exactly there, or (for a rewritten history) there or before. */
    record Expected(long index, boolean exact) {}

    /** Writes a tampered copy of the log to {@code dir}; returns the first position the tampering makes bad. */
    private static Expected tamper(Tampering kind, Path dir, Random random) throws Exception {
        List<Segment> log = copyOf(PRISTINE);
        String checkpoint = Files.readString(pristineData.resolve("checkpoint"));
        long expected;
        switch (kind) {
            case FLIP_RECORD_BYTE -> {
                int index = random.nextInt(ENTRIES);
                byte[] frame = frame(log, index).clone();
                frame[random.nextInt(frame.length)] ^= (byte) (1 + random.nextInt(255));
                setFrame(log, index, frame);
                expected = index;
            }
            case FLIP_CHECKPOINT_BYTE -> {
                byte[] bytes = checkpoint.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));
                checkpoint = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
                writeLog(dir, log, bytes);
                return new Expected(ENTRIES, true); // every record is sound, the witness vouches for all of them
            }
            case DELETE -> {
                int index = random.nextInt(ENTRIES);
                remove(log, index);
                expected = index;
            }
            case INSERT_FORGED -> {
                // A careful forger: the right index, linked to the entry before, a valid CRC. It passes on its own;
                // the genuine record it pushes along no longer follows it.
                int at = random.nextInt(ENTRIES);
                insert(log, at, forged(at, at == 0 ? RecordFormat.NO_PREVIOUS : leafOf(log, at - 1)));
                if (at + 1 == ENTRIES) {
                    // The chain breaks only at the end, inside what the witness covers: its root shows the change.
                    writeLog(dir, log, checkpoint);
                    return new Expected(at, false);
                }
                expected = at + 1;
            }
            case REORDER -> {
                int i = random.nextInt(ENTRIES - 1);
                int j = i + 1 + random.nextInt(ENTRIES - i - 1);
                byte[] a = frame(log, i);
                setFrame(log, i, frame(log, j));
                setFrame(log, j, a);
                expected = i;
            }
            case DUPLICATE -> {
                int index = random.nextInt(ENTRIES);
                insert(log, index + 1, frame(log, index));
                expected = index + 1;
            }
            case TRUNCATE -> {
                long total = log.stream().flatMap(s -> s.frames().stream()).mapToLong(f -> f.length).sum();
                expected = truncateAt(log, (long) (random.nextDouble() * total));
            }
            case ROLL_BACK -> {
                // An older copy of the data folder: a prefix of the log with the checkpoint it had then.
                int size = random.nextInt(ENTRIES);
                truncateAt(log, offsetOf(log, size));
                checkpoint = new Checkpoint(trusted.name(), size, rootOfFrames(log)).sign(logKey);
                expected = size;
            }
            case REWRITE_WITH_ANOTHER_KEY, REWRITE_WITH_THE_STOLEN_KEY -> {
                int changed = random.nextInt(ENTRIES);
                rewriteFrom(log, changed);
                NoteSigner signer = kind == Tampering.REWRITE_WITH_THE_STOLEN_KEY ? logKey
                        : OTHER_KEYS.get(random.nextInt(OTHER_KEYS.size()));
                checkpoint = new Checkpoint(trusted.name(), ENTRIES, rootOfFrames(log)).sign(signer);
                writeLog(dir, log, checkpoint);
                return new Expected(changed, false);
            }
            default -> throw new AssertionError(kind);
        }
        writeLog(dir, log, checkpoint);
        return new Expected(expected, true);
    }

    private static List<Segment> copyOf(List<Segment> log) {
        return new ArrayList<>(log.stream().map(Segment::copy).toList());
    }

    private static int[] locate(List<Segment> log, long index) {
        long i = index;
        for (int s = 0; s < log.size(); s++) {
            if (i < log.get(s).frames().size()) {
                return new int[] {s, (int) i};
            }
            i -= log.get(s).frames().size();
        }
        return new int[] {log.size() - 1, log.getLast().frames().size()};
    }

    private static byte[] frame(List<Segment> log, long index) {
        int[] at = locate(log, index);
        return log.get(at[0]).frames().get(at[1]);
    }

    private static void setFrame(List<Segment> log, long index, byte[] frame) {
        int[] at = locate(log, index);
        log.get(at[0]).frames().set(at[1], frame);
    }

    private static void remove(List<Segment> log, long index) {
        int[] at = locate(log, index);
        log.get(at[0]).frames().remove(at[1]);
    }

    private static void insert(List<Segment> log, long index, byte[] frame) {
        int[] at = locate(log, index);
        log.get(at[0]).frames().add(at[1], frame);
    }

    private static byte[] leafOf(List<Segment> log, long index) {
        byte[] f = frame(log, index);
        byte[] leaf = new byte[Hash.SIZE];
        System.arraycopy(f, RecordFormat.HEADER + 8 + Hash.SIZE, leaf, 0, Hash.SIZE);
        return leaf;
    }

    private static byte[] forged(long index, byte[] previousLeaf) {
        AuditEvent e = new AuditEvent(java.time.Instant.now(), AuditEvent.Actor.uid(0), "secrets.show", "postgres",
                Map.of(), AuditEvent.Outcome.SUCCEEDED, "");
        return frameOf(index, previousLeaf, CanonicalEntry.encode(e));
    }

    private static byte[] frameOf(long index, byte[] previousLeaf, byte[] entry) {
        ByteBuffer b = ByteBuffer.allocate(RecordFormat.frameSize(entry.length));
        RecordFormat.write(b, index, previousLeaf, TreeHashing.leaf(entry).bytes(), entry, new CRC32C());
        return b.array();
    }

    private static byte[] entryOf(byte[] frame) {
        int offset = RecordFormat.HEADER + RecordFormat.BODY_FIXED;
        return java.util.Arrays.copyOfRange(frame, offset, frame.length);
    }

    /** Replaces entry {@code from} and re-links every record after it: a valid chain, a different history. */
    private static void rewriteFrom(List<Segment> log, long from) {
        byte[] previous = from == 0 ? RecordFormat.NO_PREVIOUS : leafOf(log, from - 1);
        long index = 0;
        for (Segment s : log) {
            for (int i = 0; i < s.frames().size(); i++, index++) {
                if (index < from) {
                    continue;
                }
                byte[] entry = index == from
                        ? CanonicalEntry.encode(Events.event(index + 1_000_000)) : entryOf(s.frames().get(i));
                byte[] frame = frameOf(index, previous, entry);
                s.frames().set(i, frame);
                previous = TreeHashing.leaf(entry).bytes();
            }
        }
    }

    private static Hash rootOfFrames(List<Segment> log) {
        MerkleTree t = new MerkleTree();
        log.forEach(s -> s.frames().forEach(f -> t.append(TreeHashing.leaf(entryOf(f)))));
        return t.root();
    }

    private static long offsetOf(List<Segment> log, long records) {
        long offset = 0;
        long index = 0;
        for (Segment s : log) {
            for (byte[] f : s.frames()) {
                if (index++ == records) {
                    return offset;
                }
                offset += f.length;
            }
        }
        return offset;
    }

    /** Cuts the log at a byte offset across all segments; returns the first record not wholly kept. */
    private static long truncateAt(List<Segment> log, long offset) {
        long pos = 0;
        long index = 0;
        for (int s = 0; s < log.size(); s++) {
            List<byte[]> frames = log.get(s).frames();
            for (int i = 0; i < frames.size(); i++, index++) {
                byte[] f = frames.get(i);
                if (pos + f.length > offset) {
                    int keep = (int) (offset - pos);
                    List<byte[]> kept = new ArrayList<>(frames.subList(0, i));
                    if (keep > 0) {
                        kept.add(java.util.Arrays.copyOf(f, keep));
                    }
                    frames.clear();
                    frames.addAll(kept);
                    while (log.size() > s + 1) {
                        log.removeLast();
                    }
                    return index;
                }
                pos += f.length;
            }
        }
        return index;
    }

    private static void writeLog(Path dir, List<Segment> log, String checkpoint) throws Exception {
        writeLog(dir, log, checkpoint.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** What each trial folder's files hold now: creating and deleting files is slow here, so only changes are written. */
    private static final Map<Path, Map<String, byte[]>> WRITTEN = new java.util.HashMap<>();

    private static void writeLog(Path dir, List<Segment> log, byte[] checkpoint) throws Exception {
        Files.createDirectories(dir);
        Map<String, byte[]> wanted = new java.util.HashMap<>();
        for (Segment s : log) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.frames().forEach(out::writeBytes);
            wanted.put(Segments.fileName(s.start()), out.toByteArray());
        }
        wanted.put("checkpoint", checkpoint);
        Map<String, byte[]> written = WRITTEN.computeIfAbsent(dir, d -> new java.util.HashMap<>());
        for (String name : List.copyOf(written.keySet())) {
            if (!wanted.containsKey(name)) {
                Files.delete(dir.resolve(name));
                written.remove(name);
            }
        }
        for (var e : wanted.entrySet()) {
            if (!java.util.Arrays.equals(written.get(e.getKey()), e.getValue())) {
                Files.write(dir.resolve(e.getKey()), e.getValue());
                written.put(e.getKey(), e.getValue());
            }
        }
    }
}
