package io.aixcl.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import io.aixcl.core.models.PullEvent;
import io.aixcl.core.models.PullRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pull whose process dies (SIGKILL) or whose store is closed mid-blob resumes from its partial on disk. */
class ResumeAfterCrashTest {
    @TempDir Path root;
    FaultyServer server;
    TestRegistry.Published published;
    String blob;

    @BeforeEach
    void start() throws Exception {
        server = new FaultyServer();
        published = new TestRegistry(server).publish("library", "tiny", "1", Files.readAllBytes(TestModels.tinyLlama()));
        blob = published.blobPath("library", "tiny", published.model());
        server.throttle(blob, 400_000); // ~4.4 s for the whole blob: time to kill it halfway
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void aPullKilledWithSigkillResumesFromItsPartialAndVerifies() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                ModelsMain.class.getName(), "--root", root.toString(), "--registry", server.base().toString(), "pull", "tiny:1")
                .redirectErrorStream(true).redirectOutput(root.resolve("child.log").toFile()).start();
        Path record = root.resolve("blobs/partial/" + published.model().fileName() + ".json");
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (recordedBytes(record).orElse(0L) < 100_000) {
                assertThat(child.isAlive()).as("the child pull is still running").isTrue();
                assertThat(System.nanoTime()).as("the child recorded progress in time").isLessThan(deadline);
                Thread.sleep(20);
            }
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
            child.waitFor(10, TimeUnit.SECONDS);
        }
        long resumeAt = recordedBytes(record).orElseThrow();
        assertThat(resumeAt).isBetween(100_000L, TestModels.TINY_LLAMA_SIZE - 1);

        server.throttle(blob, 0);
        try (var store = new LocalModelStore(ModelStoreSettings.defaults(root, Map.of()).withRegistry(server.base()))) {
            assertThat(store.list()).as("nothing is listed after the crash").isEmpty();
            var starts = new java.util.concurrent.CopyOnWriteArrayList<PullEvent.BlobStarted>();
            store.pull(PullRequest.of("tiny:1"), e -> {
                if (e instanceof PullEvent.BlobStarted s) {
                    starts.add(s);
                }
            });
            assertThat(store.list()).hasSize(1);
            assertThat(starts).filteredOn(s -> s.digest().equals(published.model())).singleElement()
                    .satisfies(s -> assertThat(s.resumedFrom()).isEqualTo(resumeAt));
        }
        var gets = server.requests("GET", blob);
        assertThat(gets.getLast().range()).isEqualTo("bytes=" + resumeAt + "-" + (TestModels.TINY_LLAMA_SIZE - 1));
        assertThat(root.resolve("blobs/" + published.model().fileName())).hasSameBinaryContentAs(TestModels.tinyLlama());
        assertThat(record).doesNotExist();
    }

    @Test
    void closingTheStoreMidPullKeepsAPartialThatTheNextStoreResumes() throws Exception {
        var settings = ModelStoreSettings.defaults(root, Map.of()).withRegistry(server.base());
        var halfway = new CountDownLatch(1);
        var failure = new AtomicReference<Throwable>();
        var store = new LocalModelStore(settings);
        Thread pull = Thread.ofVirtual().start(() -> {
            try {
                store.pull(PullRequest.of("tiny:1"), e -> {
                    if (e instanceof PullEvent.Progress p && p.completedBytes() > 600_000) {
                        halfway.countDown();
                    }
                });
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        assertThat(halfway.await(20, TimeUnit.SECONDS)).isTrue();
        store.close();
        pull.join(Duration.ofSeconds(10));

        assertThat(failure.get()).isInstanceOf(AixclException.Cancelled.class);
        Path record = root.resolve("blobs/partial/" + published.model().fileName() + ".json");
        long kept = recordedBytes(record).orElseThrow();
        assertThat(kept).isGreaterThan(500_000L);

        server.throttle(blob, 0);
        try (var again = new LocalModelStore(settings)) {
            assertThat(again.list()).isEmpty();
            var result = again.pull(PullRequest.of("tiny:1"), null);
            assertThat(result.downloadedBytes()).isLessThan(published.totalSize() - 500_000);
            assertThat(again.list()).hasSize(1);
        }
        assertThat(server.requests("GET", blob).getLast().range()).isEqualTo("bytes=" + kept + "-" + (TestModels.TINY_LLAMA_SIZE - 1));
    }

    @Test
    void aPartialRecordedWithAnotherChunkSizeStillResumes() throws Exception {
        // As after an upgrade that changed the chunk size: the partial's own plan is kept, its bytes too.
        var before = ModelStoreSettings.defaults(root, Map.of()).withRegistry(server.base())
                .withDownloads(2, 256 * 1024, Duration.ofSeconds(5), RegistryPullTest.FAST_RETRY)
                .withOneConnectionSuffices(Long.MAX_VALUE);
        var halfway = new CountDownLatch(1);
        var store = new LocalModelStore(before);
        Thread pull = Thread.ofVirtual().start(() -> {
            try {
                store.pull(PullRequest.of("tiny:1"), e -> {
                    if (e instanceof PullEvent.Progress p && p.completedBytes() > 600_000) {
                        halfway.countDown();
                    }
                });
            } catch (AixclException.Cancelled expected) {
                // closed below
            }
        });
        assertThat(halfway.await(20, TimeUnit.SECONDS)).isTrue();
        store.close();
        pull.join(Duration.ofSeconds(10));
        Path record = root.resolve("blobs/partial/" + published.model().fileName() + ".json");
        assertThat(PartialRecord.load(record).orElseThrow().chunkBytes()).isEqualTo(256 * 1024);
        long kept = recordedBytes(record).orElseThrow();
        assertThat(kept).isGreaterThan(500_000L);

        server.throttle(blob, 0);
        try (var again = new LocalModelStore(before.withDownloads(2, 384 * 1024, Duration.ofSeconds(5),
                RegistryPullTest.FAST_RETRY))) {
            var result = again.pull(PullRequest.of("tiny:1"), null);
            assertThat(result.downloadedBytes()).isEqualTo(TestModels.TINY_LLAMA_SIZE - kept);
        }
        assertThat(root.resolve("blobs/" + published.model().fileName())).hasSameBinaryContentAs(TestModels.tinyLlama());
    }

    @Test
    void chunksGrowOnlyWhenABlobWouldNeedMoreThanTheRecordAllows() {
        long mib = 1L << 20;
        assertThat(RangedDownload.chunkBytes(1L << 30, 64 * mib)).isEqualTo(64 * mib);
        assertThat(RangedDownload.chunkBytes(1L << 30, 16 * mib)).isEqualTo(16 * mib);
        assertThat(RangedDownload.chunkBytes(16L << 30, 16 * mib)).isEqualTo(16 * mib); // exactly 1024 chunks
        assertThat(RangedDownload.chunkBytes((16L << 30) + 1, 16 * mib)).isEqualTo(17 * mib);
        assertThat(RangedDownload.chunkBytes(100L << 30, 16 * mib)).isEqualTo(100 * mib);
        assertThat(RangedDownload.chunkBytes(-1, 16 * mib)).isEqualTo(16 * mib); // size unknown: one stream anyway
        for (long size : new long[] {(16L << 30) + 1, 100L << 30, (512L << 30) - 7}) {
            long chunk = RangedDownload.chunkBytes(size, 16 * mib);
            assertThat(ChunkLedger.fresh(size, chunk).chunks()).isLessThanOrEqualTo(RangedDownload.MAX_CHUNKS);
        }
    }

    @Test
    void aClosedStoreRefusesNewPulls() {
        var store = new LocalModelStore(ModelStoreSettings.defaults(root, Map.of()).withRegistry(server.base()));
        store.close();
        assertThatThrownBy(() -> store.pull(PullRequest.of("tiny:1"), null)).isInstanceOf(AixclException.Cancelled.class);
    }

    private static Optional<Long> recordedBytes(Path record) {
        return PartialRecord.load(record).map(r -> java.util.Arrays.stream(r.written()).sum());
    }

    @SuppressWarnings("unused")
    private static List<String> ranges(List<FaultyServer.Request> requests) {
        return FaultyServer.ranges(requests);
    }
}
