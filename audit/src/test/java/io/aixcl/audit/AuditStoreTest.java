package io.aixcl.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.audit.AuditLog.AuditReceipt;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditStoreTest {

    @TempDir
    Path tmp;

    private AuditStoreConfig config() {
        return AuditStoreConfig.of(tmp.resolve("data/audit"), tmp.resolve("config/audit-witness"))
                .withCheckpoints(100, Duration.ofSeconds(30));
    }

    private NoteVerifier trustedKey() throws Exception {
        return SigningKeyFiles.readPublic(tmp.resolve("config/audit-witness/checkpoint.pub"));
    }

    private Verification verify() throws Exception {
        return AuditVerifier.verify(tmp.resolve("data/audit"), Optional.of(tmp.resolve("config/audit-witness")),
                trustedKey());
    }

    @Test
    void asyncAppendsCompleteOnceDurableInTheOrderHandedOverAndTheLogVerifies() throws Exception {
        try (AuditStore store = AuditStore.open(config())) {
            List<CompletableFuture<AuditReceipt>> pending = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                pending.add(store.appendAsync(Events.event(i)));
            }
            for (int i = 0; i < 50; i++) {
                AuditReceipt r = pending.get(i).get(10, TimeUnit.SECONDS);
                assertThat(r.index()).isEqualTo(i);
                assertThat(store.size()).isGreaterThan(i); // durable, so counted, before the future completes
            }
            assertThat(store.read(0, 100)).extracting(AuditRecord::event)
                    .containsExactlyElementsOf(IntStream.range(0, 50).mapToObj(Events::event).toList());
        }
        assertThat(verify()).isInstanceOf(Verification.Valid.class);
    }

    @Test
    void deferredAppendsShareFewCommitsAndStillLandInOrder() throws Exception {
        try (AuditStore store = AuditStore.open(config().withDeferredWindow(Duration.ofSeconds(1)))) {
            List<CompletableFuture<AuditReceipt>> pending = new ArrayList<>();
            long t0 = System.nanoTime();
            int n = 0;
            // A trickle, as a gateway's requests come: without the window each entry finds the writer idle and gets
            // a commit (and an fsync) of its own.
            while (System.nanoTime() - t0 < Duration.ofMillis(200).toNanos()) {
                pending.add(store.appendDeferred(Events.event(n++)));
                Thread.sleep(1);
            }
            for (int i = 0; i < n; i++) {
                assertThat(pending.get(i).get(10, TimeUnit.SECONDS).index()).isEqualTo(i);
            }
            assertThat(n).isGreaterThan(20);
            assertThat(store.commitBatches()).isBetween(1L, 2L);
            assertThat(store.read(0, n + 1)).extracting(AuditRecord::event)
                    .containsExactlyElementsOf(IntStream.range(0, n).mapToObj(Events::event).toList());
        }
        assertThat(verify()).isInstanceOf(Verification.Valid.class);
    }

    @Test
    void aDeferredEntryWaitsForItsWindowUnlessAnUrgentEntryOrCloseComesFirst() throws Exception {
        try (AuditStore store = AuditStore.open(config().withDeferredWindow(Duration.ofMillis(300)))) {
            long t0 = System.nanoTime();
            CompletableFuture<AuditReceipt> alone = store.appendDeferred(Events.event(0));
            assertThat(alone.get(10, TimeUnit.SECONDS).index()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
        try (AuditStore store = AuditStore.open(config().withDeferredWindow(Duration.ofSeconds(1)))) {
            CompletableFuture<AuditReceipt> deferred = store.appendDeferred(Events.event(1));
            Thread.sleep(50); // the writer is in its window now
            long t0 = System.nanoTime();
            AuditReceipt urgent = store.append(Events.event(2)); // an action waits on this one: no window for it
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(900));
            assertThat(urgent.index()).isEqualTo(2);
            assertThat(deferred).isCompleted(); // committed in the same batch, before it
            assertThat(deferred.join().index()).isEqualTo(1);
            CompletableFuture<AuditReceipt> last = store.appendDeferred(Events.event(3));
            Thread.sleep(50);
            t0 = System.nanoTime();
            store.close();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(900));
            assertThat(last).isCompleted();
            assertThat(last.join().index()).isEqualTo(3);
        }
        assertThat(verify()).isInstanceOf(Verification.Valid.class);
    }

    @Test
    void appendsAreNumberedDurablyAndSurviveReopening() throws Exception {
        try (AuditStore store = AuditStore.open(config())) {
            for (int i = 0; i < 10; i++) {
                AuditReceipt r = store.append(Events.event(i));
                assertThat(r.index()).isEqualTo(i);
                assertThat(r.leafHash()).isEqualTo(TreeHashing.leaf(CanonicalEntry.encode(Events.event(i))).hex());
            }
        }
        try (AuditStore store = AuditStore.open(config())) {
            assertThat(store.size()).isEqualTo(10);
            assertThat(store.openReport().verification()).isInstanceOf(Verification.Valid.class);
            assertThat(store.append(Events.event(10)).index()).isEqualTo(10);
            List<AuditRecord> records = store.read(0, 100);
            assertThat(records).hasSize(11);
            assertThat(records.get(3).event()).isEqualTo(Events.event(3));
            assertThat(records.get(3).previousLeafHash()).isEqualTo(records.get(2).leafHash());
        }
        assertThat(verify()).isEqualTo(new Verification.Valid(11, rootOf(11), 11));
    }

    @Test
    void initMakesAnOwnerOnlyKeyAndPutsThePublicKeyAndCheckpointsInTheWitness() throws Exception {
        try (AuditStore store = AuditStore.open(config())) {
            store.append(Events.event(0));
        }
        Path data = tmp.resolve("data/audit");
        Path witness = tmp.resolve("config/audit-witness");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("checkpoint.key"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
        assertThat(Files.readString(witness.resolve("checkpoint.pub"))).isEqualTo(Files.readString(data.resolve("checkpoint.pub")));
        String note = Files.readString(witness.resolve("checkpoint"));
        assertThat(note).isEqualTo(Files.readString(data.resolve("checkpoint")));
        Checkpoint c = Checkpoint.open(note, trustedKey());
        assertThat(c).isEqualTo(new Checkpoint("aixcl.local/audit", 1, rootOf(1)));
        try (Stream<Path> files = Files.list(witness)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("checkpoint", "checkpoint.pub");
        }
    }

    @Test
    void checkpointsAreWrittenEveryNEntriesWithoutWaitingForClose() throws Exception {
        try (AuditStore store = AuditStore.open(config())) {
            for (int i = 0; i < 250; i++) {
                store.append(Events.event(i));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            Checkpoint c;
            do {
                Thread.sleep(10);
                c = Checkpoint.parse(SignedNote.open(Files.readString(tmp.resolve("config/audit-witness/checkpoint")),
                        trustedKey()));
            } while (c.size() < 200 && System.nanoTime() < deadline);
            assertThat(c.size()).isGreaterThanOrEqualTo(200);
            assertThat(c.root()).isEqualTo(rootOf(c.size()));
        }
    }

    @Test
    void theEntryTriggerSignsAtMostOnceASecond() throws Exception {
        try (AuditStore store = AuditStore.open(config().withCheckpoints(10, Duration.ofSeconds(30)))) {
            Path witness = tmp.resolve("config/audit-witness/checkpoint");
            List<Long> sizes = new ArrayList<>();
            long t0 = System.nanoTime();
            int i = 0;
            while (System.nanoTime() - t0 < Duration.ofMillis(2500).toNanos()) {
                store.append(Events.event(i++));
                if (!Files.exists(witness)) {
                    continue;
                }
                long size = Checkpoint.parse(SignedNote.open(Files.readString(witness), trustedKey())).size();
                if (sizes.isEmpty() || sizes.getLast() != size) {
                    sizes.add(size);
                }
            }
            // Thousands of entries, a trigger every 10: signed when the second allows, not hundreds of times.
            assertThat(i).isGreaterThan(100);
            assertThat(sizes).hasSizeBetween(2, 5);
        }
    }

    @Test
    void checkpointsAreWrittenAfterTheIntervalWhenEntriesAreFew() throws Exception {
        try (AuditStore store = AuditStore.open(config().withCheckpoints(1_000_000, Duration.ofMillis(100)))) {
            store.append(Events.event(0));
            store.append(Events.event(1));
            Thread.sleep(600);
            assertThat(store.latestCheckpoint()).hasValueSatisfying(n -> assertThat(n).contains("\n2\n"));
        }
    }

    @Test
    void anIdleLogDoesNotSpinAndStillSignsWhatComesLater() throws Exception {
        try (AuditStore store = AuditStore.open(config().withCheckpoints(1_000_000, Duration.ofMillis(100)))) {
            store.append(Events.event(0));
            Thread.sleep(300); // the first checkpoint is written, then nothing is new
            long before = store.checkpointer.wakeUps();
            Thread.sleep(1000);
            // One wait per interval while idle (~10 here); it used to wait 1 ms again and again (~1,000).
            assertThat(store.checkpointer.wakeUps() - before).isLessThanOrEqualTo(15);
            store.append(Events.event(1));
            Thread.sleep(400);
            assertThat(store.latestCheckpoint()).hasValueSatisfying(n -> assertThat(n).contains("\n2\n"));
        }
    }

    @Test
    void concurrentAppendsGetDistinctIndexesAndFormOneValidChain() throws Exception {
        List<Long> indexes = new ArrayList<>();
        try (AuditStore store = AuditStore.open(config());
             ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    List<Long> mine = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        mine.add(store.append(Events.event(thread * 1000L + i)).index());
                    }
                    return mine;
                }));
            }
            for (Future<List<Long>> f : futures) {
                indexes.addAll(f.get());
            }
        }
        assertThat(indexes).doesNotHaveDuplicates().hasSize(1600).allMatch(i -> i >= 0 && i < 1600);
        assertThat(verify()).isInstanceOf(Verification.Valid.class);
    }

    @Test
    void segmentsRollAtTheSizeLimitAndTheLogStillVerifies() throws Exception {
        try (AuditStore store = AuditStore.open(config().withSegmentBytes(4096))) {
            for (int i = 0; i < 200; i++) {
                store.append(Events.event(i));
            }
            assertThat(store.read(150, 10)).extracting(AuditRecord::index).containsExactly(150L, 151L, 152L, 153L,
                    154L, 155L, 156L, 157L, 158L, 159L);
        }
        assertThat(Segments.list(tmp.resolve("data/audit"))).hasSizeGreaterThan(5);
        assertThat(verify()).isEqualTo(new Verification.Valid(200, rootOf(200), 200));
    }

    @Test
    void aTornLastRecordIsTrimmedAtOpenAndTheTrimIsRecorded() throws Exception {
        try (AuditStore store = AuditStore.open(config())) {
            for (int i = 0; i < 5; i++) {
                store.append(Events.event(i));
            }
        }
        Path segment = tmp.resolve("data/audit").resolve(Segments.fileName(0));
        // Half a record, as a crash in the middle of a write leaves it.
        byte[] frame = Files.readAllBytes(segment);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(frame, 0, 100));
        }
        assertThat(verify()).isInstanceOfSatisfying(Verification.Invalid.class,
                i -> assertThat(i.firstBadIndex()).isEqualTo(5));
        try (AuditStore store = AuditStore.open(config())) {
            assertThat(store.openReport().trimmedBytes()).isEqualTo(100);
            AuditRecord trim = store.read(5, 1).getFirst();
            assertThat(trim.event().action()).isEqualTo("audit.trim");
            assertThat(trim.event().parameters()).containsEntry("bytes", "100").containsEntry("entry", "5");
        }
        assertThat(verify()).isInstanceOfSatisfying(Verification.Valid.class, v -> {
            assertThat(v.size()).isEqualTo(6);
            assertThat(v.witnessedSize()).isEqualTo(6);
        });
    }

    @Test
    void aRolledBackLogIsRefusedAndAnOverrideIsRecordedAndReanchorsTheWitness() throws Exception {
        Path data = tmp.resolve("data/audit");
        Path backup = tmp.resolve("backup");
        try (AuditStore store = AuditStore.open(config())) {
            for (int i = 0; i < 5; i++) {
                store.append(Events.event(i));
            }
            store.checkpoint();
            copyTree(data, backup);
            for (int i = 5; i < 9; i++) {
                store.append(Events.event(i));
            }
        }
        deleteTree(data);
        copyTree(backup, data);

        assertThatThrownBy(() -> AuditStore.open(config()))
                .isInstanceOfSatisfying(AuditLogRefusedException.class,
                        e -> assertThat(e.invalid().firstBadIndex()).isEqualTo(5))
                .hasMessageContaining("vouches for 9");
        try (AuditStore store = AuditStore.open(config().withOverride(true))) {
            assertThat(store.openReport().overridden()).isTrue();
            AuditRecord override = store.read(5, 1).getFirst();
            assertThat(override.event().action()).isEqualTo("audit.override");
            assertThat(override.event().parameters()).containsEntry("firstBadIndex", "5");
        }
        try (AuditStore store = AuditStore.open(config())) {
            assertThat(store.openReport().verification()).isInstanceOf(Verification.Valid.class);
        }
    }

    @Test
    void aLogSignedByAnotherKeyIsRefused() throws Exception {
        try (AuditStore store = AuditStore.open(config())) {
            store.append(Events.event(0));
        }
        Path data = tmp.resolve("data/audit");
        Files.delete(data.resolve("checkpoint.key"));
        SigningKeyFiles.write(SigningKeyFiles.generate("aixcl.local/audit"), data.resolve("checkpoint.key"),
                data.resolve("checkpoint.pub.new"));
        Files.move(data.resolve("checkpoint.pub.new"), data.resolve("checkpoint.pub"), StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> AuditStore.open(config())).isInstanceOf(AuditLogRefusedException.class)
                .hasMessageContaining("not the trusted key");
    }

    @Test
    void aDeletedWitnessIsRefusedRatherThanSilentlyTrustingTheDataFolder() throws Exception {
        try (AuditStore store = AuditStore.open(config())) {
            store.append(Events.event(0));
        }
        deleteTree(tmp.resolve("config/audit-witness"));
        assertThatThrownBy(() -> AuditStore.open(config())).isInstanceOf(AuditLogRefusedException.class)
                .hasMessageContaining("no trusted key");
    }

    @Test
    void followersWakeWhenEntriesArrive() throws Exception {
        try (AuditStore store = AuditStore.open(config())) {
            Thread appender = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
                store.append(Events.event(0));
            });
            assertThat(store.awaitSize(0, Duration.ofSeconds(5))).isEqualTo(1);
            assertThat(store.awaitSize(1, Duration.ofMillis(20))).isEqualTo(1);
            appender.join();
        }
    }

    @Test
    void proofsFromTheStoreVerifyAgainstItsCheckpoints() throws Exception {
        try (AuditStore store = AuditStore.open(config())) {
            for (int i = 0; i < 37; i++) {
                store.append(Events.event(i));
            }
            Checkpoint c = Checkpoint.open(store.checkpoint(), store.publicKey());
            InclusionProof p = store.proveInclusion(20, c.size());
            assertThat(p.verifies(Hash.fromHex(store.read(20, 1).getFirst().leafHash().hex()), c.root())).isTrue();
            assertThat(store.proveConsistency(11, 37).verifies(rootOf(11), c.root())).isTrue();
        }
    }

    @Test
    void appendsAfterCloseAreRefused() throws Exception {
        AuditStore store = AuditStore.open(config());
        store.close();
        assertThatThrownBy(() -> store.append(Events.event(0))).isInstanceOf(IllegalStateException.class);
    }

    static Hash rootOf(long n) {
        MerkleTree t = new MerkleTree();
        for (long i = 0; i < n; i++) {
            t.append(TreeHashing.leaf(CanonicalEntry.encode(Events.event(i))));
        }
        return t.root();
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
