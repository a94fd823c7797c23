package io.aixcl.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import io.aixcl.core.models.Digest;
import io.aixcl.core.models.InvalidModelFile;
import io.aixcl.core.models.ModelName;
import io.aixcl.core.models.PullEvent;
import io.aixcl.core.models.PullRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryPullTest {
    static final RetryPolicy FAST_RETRY = new RetryPolicy(4, Duration.ofMillis(5), Duration.ofMillis(40));

    @TempDir Path root;
    FaultyServer server;
    TestRegistry registry;
    byte[] tiny;

    @BeforeEach
    void start() throws Exception {
        server = new FaultyServer();
        registry = new TestRegistry(server);
        tiny = Files.readAllBytes(TestModels.tinyLlama());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    /** One connection per blob, so tests can assert exact offsets. */
    ModelStoreSettings singleStream() {
        return ModelStoreSettings.defaults(root, Map.of()).withRegistry(server.base())
                .withDownloads(1, 64L << 20, Duration.ofMillis(800), FAST_RETRY).withBlobGracePeriod(Duration.ZERO);
    }

    /** Four connections from the start (not only when the first is slow), so tests see ranges in parallel. */
    ModelStoreSettings parallel() {
        return singleStream().withDownloads(4, 256 * 1024, Duration.ofMillis(800), FAST_RETRY)
                .withOneConnectionSuffices(Long.MAX_VALUE);
    }

    @Test
    void pullsARegistryModelAndShowsItsGgufHeader() {
        var published = registry.publish("library", "tiny", "1", tiny);
        var events = new CopyOnWriteArrayList<PullEvent>();
        try (var store = new LocalModelStore(singleStream())) {
            var result = store.pull(PullRequest.of("tiny:1"), events::add);

            ModelName name = ModelName.parse("tiny:1");
            assertThat(result.name()).isEqualTo(name);
            assertThat(result.sizeBytes()).isEqualTo(published.totalSize());
            assertThat(result.downloadedBytes()).isEqualTo(published.totalSize());
            assertThat(store.list()).singleElement().satisfies(m -> {
                assertThat(m.name().display()).isEqualTo("tiny:1");
                assertThat(m.modelDigest()).isEqualTo(published.model());
                assertThat(m.sizeBytes()).isEqualTo(published.totalSize());
            });
            var details = store.show(name);
            assertThat(details.gguf().architecture()).isEqualTo("llama");
            assertThat(details.gguf().quantization()).isEqualTo("F16");
            assertThat(details.gguf().contextLength()).hasValue(4096);
            assertThat(details.layers()).hasSize(4);
            assertThat(store.modelFile(name)).hasFileName(published.model().fileName()).hasSameBinaryContentAs(TestModels.tinyLlama());
        }
        // Ollama's layout: manifests/<registry>/<namespace>/<name>/<tag>, blobs/sha256-<hex>.
        assertThat(root.resolve("manifests/registry.ollama.ai/library/tiny/1")).isRegularFile();
        assertThat(root.resolve("blobs/sha256-" + TestModels.TINY_LLAMA_SHA256)).isRegularFile();
        assertThat(server.requests("GET", published.manifestPath())).hasSize(1);

        assertThat(events.getFirst()).isEqualTo(new PullEvent.Resolved(ModelName.parse("tiny:1"), 4, published.totalSize(), 0));
        assertThat(events.getLast()).isEqualTo(new PullEvent.Published(ModelName.parse("tiny:1"), published.totalSize()));
        assertThat(events).filteredOn(PullEvent.BlobVerified.class::isInstance).hasSize(4);
        var lastProgress = events.stream().filter(PullEvent.Progress.class::isInstance).map(PullEvent.Progress.class::cast).reduce((a, b) -> b).orElseThrow();
        assertThat(lastProgress.completedBytes()).isEqualTo(published.totalSize());
        assertThat(lastProgress.totalBytes()).isEqualTo(published.totalSize());
    }

    @Test
    void aSecondPullOfAPresentModelDownloadsNothing() {
        var published = registry.publish("library", "tiny", "1", tiny);
        try (var store = new LocalModelStore(singleStream())) {
            store.pull(PullRequest.of("tiny:1"), null);
            var again = store.pull(PullRequest.of("tiny:1"), null);

            assertThat(again.downloadedBytes()).isZero();
            assertThat(server.requests("GET", published.blobPath("library", "tiny", published.model()))).hasSize(1);
        }
    }

    @Test
    void aDroppedConnectionResumesFromItsOffsetWithARangeRequest() {
        var published = registry.publish("library", "tiny", "1", tiny);
        String blob = published.blobPath("library", "tiny", published.model());
        server.fault(blob, new FaultyServer.Fault.DropAfter(300_000));
        var retries = new CopyOnWriteArrayList<PullEvent.Retrying>();
        try (var store = new LocalModelStore(singleStream())) {
            store.pull(PullRequest.of("tiny:1"), e -> {
                if (e instanceof PullEvent.Retrying r) {
                    retries.add(r);
                }
            });
            assertThat(store.list()).hasSize(1);
        }
        var ranges = FaultyServer.ranges(server.requests("GET", blob));
        assertThat(ranges).hasSize(2);
        assertThat(ranges.get(0)).isNull();
        // The server sent 300000 bytes before dropping; the JDK client may lose its last few KB in flight, and the
        // resume starts exactly where the bytes we did receive end.
        long resumedAt = Long.parseLong(ranges.get(1).replaceAll("bytes=(\\d+)-.*", "$1"));
        assertThat(resumedAt).isBetween(200_000L, 300_000L);
        assertThat(ranges.get(1)).isEqualTo("bytes=" + resumedAt + "-1750559");
        assertThat(retries).singleElement().satisfies(r -> assertThat(r.reason()).contains("connection lost after " + resumedAt + " bytes"));
        assertThat(root.resolve("blobs/sha256-" + TestModels.TINY_LLAMA_SHA256)).hasSameBinaryContentAs(TestModels.tinyLlama());
    }

    @Test
    void largeBlobsDownloadInParallelRanges() throws Exception {
        byte[] big = GgufBuilder.ofSize(3 << 20, 7);
        var published = registry.publish("library", "big", "1", big);
        String blob = published.blobPath("library", "big", published.model());
        try (var store = new LocalModelStore(parallel())) {
            store.pull(PullRequest.of("big:1"), null);
        }
        var ranges = FaultyServer.ranges(server.requests("GET", blob));
        int chunks = (big.length + 262143) / 262144;
        assertThat(ranges).hasSize(chunks).doesNotHaveDuplicates().doesNotContainNull()
                .contains("bytes=0-262143", "bytes=" + (chunks - 1) * 262144L + "-" + (big.length - 1));
        assertThat(Files.readAllBytes(root.resolve("blobs/" + published.model().fileName()))).isEqualTo(big);
    }

    @Test
    void aBlobStartsOnOneConnectionAndOpensTheOthersOnlyWhenItIsSlow() throws Exception {
        byte[] big = GgufBuilder.ofSize(3 << 20, 9);
        var published = registry.publish("library", "big", "1", big);
        String blob = published.blobPath("library", "big", published.model());
        server.throttle(blob, 4 << 20); // ~0.75 s on one connection
        var settings = parallel().withOneConnectionSuffices(1 << 20);
        try (var store = new LocalModelStore(settings)) {
            store.pull(PullRequest.of("big:1"), null);
        }
        assertThat(server.maxConcurrentBodies(blob)).as("4 MiB/s on one connection is enough at 1 MiB/s").isEqualTo(1);
        int chunks = (big.length + 262143) / 262144;
        assertThat(FaultyServer.ranges(server.requests("GET", blob))).hasSize(chunks).doesNotHaveDuplicates();
        assertThat(Files.readAllBytes(root.resolve("blobs/" + published.model().fileName()))).isEqualTo(big);

        Files.delete(root.resolve("blobs/" + published.model().fileName()));
        Files.delete(root.resolve("manifests/registry.ollama.ai/library/big/1"));
        server.throttle(blob, 1 << 20); // ~3 s on one connection: too slow at 2 MiB/s, so all four open
        try (var store = new LocalModelStore(parallel().withOneConnectionSuffices(2 << 20))) {
            store.pull(PullRequest.of("big:1"), null);
        }
        assertThat(server.maxConcurrentBodies(blob)).as("the second pull's ranges overlapped").isEqualTo(4);
        assertThat(Files.readAllBytes(root.resolve("blobs/" + published.model().fileName()))).isEqualTo(big);
    }

    @Test
    void aConnectionIsSlowOnlyBelowTheThresholdAndWhenNotHeldBackByTheHashOrTheDisk() {
        long window = 500_000_000L;
        long mib = 1 << 20;
        assertThat(RangedDownload.networkSlow(100 * mib, 0, window, 256 * mib)).as("200 MiB/s").isTrue();
        assertThat(RangedDownload.networkSlow(130 * mib, 0, window, 256 * mib)).as("260 MiB/s").isFalse();
        assertThat(RangedDownload.networkSlow(100 * mib, window / 4, window, 256 * mib))
                .as("waited a quarter of the window for a buffer").isFalse();
        assertThat(RangedDownload.networkSlow(100 * mib, window / 4 - 1, window, 256 * mib)).isTrue();
    }

    @Test
    void aServerIgnoringRangesFallsBackToOneStream() throws Exception {
        byte[] big = GgufBuilder.ofSize(1 << 20, 8);
        var published = registry.publish("library", "big", "1", big);
        String blob = published.blobPath("library", "big", published.model());
        server.fault(blob, new FaultyServer.Fault.IgnoreRange(), new FaultyServer.Fault.IgnoreRange(),
                new FaultyServer.Fault.IgnoreRange(), new FaultyServer.Fault.IgnoreRange());
        try (var store = new LocalModelStore(parallel())) {
            store.pull(PullRequest.of("big:1"), null);
            assertThat(store.list()).hasSize(1);
        }
        assertThat(Files.readAllBytes(root.resolve("blobs/" + published.model().fileName()))).isEqualTo(big);
    }

    @Test
    void aWrongDigestDiscardsThePartialAndNamesExpectedAndActual() {
        var published = registry.publish("library", "tiny", "1", tiny);
        String blob = published.blobPath("library", "tiny", published.model());
        server.fault(blob, new FaultyServer.Fault.CorruptBody());
        try (var store = new LocalModelStore(singleStream())) {
            assertThatThrownBy(() -> store.pull(PullRequest.of("tiny:1"), null))
                    .isInstanceOf(AixclException.Failed.class)
                    .hasMessageContaining("digest mismatch for blob sha256:81f226c62d28 of tiny:1")
                    .hasMessageContaining("expected sha256:" + TestModels.TINY_LLAMA_SHA256)
                    .hasMessageContaining("got sha256:")
                    .hasMessageContaining("the partial download was discarded");
            assertThat(store.list()).isEmpty();
        }
        assertThat(root.resolve("blobs/partial/" + published.model().fileName())).doesNotExist();
        assertThat(root.resolve("blobs/" + published.model().fileName())).doesNotExist();
        assertThat(root.resolve("manifests/registry.ollama.ai/library/tiny/1")).doesNotExist();
    }

    @Test
    void anEmptyBodyIsCaughtAndRetried() {
        var published = registry.publish("library", "tiny", "1", tiny);
        String blob = published.blobPath("library", "tiny", published.model());
        server.fault(blob, new FaultyServer.Fault.EmptyBody());
        try (var store = new LocalModelStore(singleStream())) {
            store.pull(PullRequest.of("tiny:1"), null);
            assertThat(store.list()).hasSize(1);
        }
        assertThat(server.requests("GET", blob)).hasSize(2);
    }

    @Test
    void aServerThatOnlySendsEmptyBodiesFailsPreciselyAndRegistersNothing() {
        var published = registry.publish("library", "tiny", "1", tiny);
        String blob = published.blobPath("library", "tiny", published.model());
        for (int i = 0; i < 10; i++) {
            server.fault(blob, new FaultyServer.Fault.EmptyBody());
        }
        try (var store = new LocalModelStore(singleStream())) {
            assertThatThrownBy(() -> store.pull(PullRequest.of("tiny:1"), null))
                    .isInstanceOf(AixclException.Failed.class)
                    .hasMessageContaining("giving up on blob sha256:81f226c62d28 of tiny:1 after 4 failed attempts")
                    .hasMessageContaining("the server sent an empty body (expected 1750560 bytes from byte 0)");
            assertThat(store.list()).isEmpty();
        }
    }

    @Test
    void aStalledConnectionIsAbortedAndResumed() {
        var published = registry.publish("library", "tiny", "1", tiny);
        String blob = published.blobPath("library", "tiny", published.model());
        server.fault(blob, new FaultyServer.Fault.StallAfter(100_000, Duration.ofSeconds(20)));
        var retries = new CopyOnWriteArrayList<PullEvent.Retrying>();
        long started = System.nanoTime();
        try (var store = new LocalModelStore(singleStream())) {
            store.pull(PullRequest.of("tiny:1"), e -> {
                if (e instanceof PullEvent.Retrying r) {
                    retries.add(r);
                }
            });
            assertThat(store.list()).hasSize(1);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
        assertThat(retries).singleElement().satisfies(r -> assertThat(r.reason()).contains("stalled: no bytes for 800 ms after 100000 bytes"));
        assertThat(FaultyServer.ranges(server.requests("GET", blob))).containsExactly(null, "bytes=100000-1750559");
    }

    @Test
    void serverErrorsAreRetriedWithBackoff() {
        var published = registry.publish("library", "tiny", "1", tiny);
        String blob = published.blobPath("library", "tiny", published.model());
        server.fault(blob, new FaultyServer.Fault.Status(500), new FaultyServer.Fault.Status(503));
        server.fault(published.manifestPath(), new FaultyServer.Fault.Status(502));
        var retries = new CopyOnWriteArrayList<PullEvent.Retrying>();
        var logged = new CopyOnWriteArrayList<String>();
        var handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.add(r.getLevel() + " " + java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        var models = java.util.logging.Logger.getLogger("io.aixcl.models");
        models.addHandler(handler);
        try (var store = new LocalModelStore(singleStream())) {
            store.pull(PullRequest.of("tiny:1"), e -> {
                if (e instanceof PullEvent.Retrying r) {
                    retries.add(r);
                }
            });
            assertThat(store.list()).hasSize(1);
        } finally {
            models.removeHandler(handler);
        }
        assertThat(retries).extracting(PullEvent.Retrying::attempt).containsExactly(1, 2);
        assertThat(retries).extracting(PullEvent.Retrying::reason).containsExactly("HTTP 500 from 127.0.0.1", "HTTP 503 from 127.0.0.1");
        assertThat(server.requests("GET", published.manifestPath())).hasSize(2);
        // The daemon's log says where a slow pull's time went: every retry (the manifest's too, which no event shows)
        // and each download's timings.
        assertThat(logged).anyMatch(l -> l.startsWith("WARNING retrying ") && l.contains("(attempt 1): HTTP 502 from 127.0.0.1"));
        assertThat(logged).anyMatch(l -> l.startsWith("WARNING retrying chunk 0 of ") && l.endsWith("(attempt 2): HTTP 503 from 127.0.0.1"));
        assertThat(logged).anyMatch(l -> l.startsWith("INFO downloaded ") && l.contains(" bytes (0 resumed) in ")
                && l.contains("final fsync") && l.contains("; 2 retries; connections 1, writes direct (hash ")
                && l.contains(" ms, writer "));
        assertThat(logged).anyMatch(l -> l.startsWith("INFO published " + published.model()));
    }

    @Test
    void aBlobRedirectToAnotherHostIsFollowed() throws Exception {
        var published = registry.publish("library", "tiny", "1", tiny);
        String blob = published.blobPath("library", "tiny", published.model());
        try (var cdn = new FaultyServer()) {
            cdn.serve("/cdn/tiny", tiny);
            server.redirect(blob, cdn.base("localhost").resolve("/cdn/tiny?X-Amz-Signature=secret"), 307, Map.of());
            try (var store = new LocalModelStore(singleStream())) {
                store.pull(PullRequest.of("tiny:1"), null);
                assertThat(store.list()).hasSize(1);
            }
            assertThat(cdn.requests("GET", "/cdn/tiny")).singleElement().satisfies(r -> assertThat(r.host()).startsWith("localhost:"));
        }
    }

    @Test
    void aRedirectToPlainHttpOnAPublicHostIsRefused() {
        var published = registry.publish("library", "tiny", "1", tiny);
        String blob = published.blobPath("library", "tiny", published.model());
        server.redirect(blob, java.net.URI.create("http://cdn.example.com/tiny"), 302, Map.of());
        try (var store = new LocalModelStore(singleStream())) {
            assertThatThrownBy(() -> store.pull(PullRequest.of("tiny:1"), null))
                    .isInstanceOf(AixclException.Failed.class)
                    .hasMessageContaining("refused redirect from http://127.0.0.1:" + server.port() + blob + " to http://cdn.example.com/tiny")
                    .hasMessageContaining("plain http to cdn.example.com refused");
            assertThat(store.list()).isEmpty();
        }
    }

    @Test
    void anUnknownModelIsNotFound() {
        try (var store = new LocalModelStore(singleStream())) {
            assertThatThrownBy(() -> store.pull(PullRequest.of("nope:1"), null))
                    .isInstanceOf(AixclException.NotFound.class).hasMessage("model nope:1 was not found in registry.ollama.ai");
        }
    }

    @Test
    void aHostileManifestIsRefusedPrecisely() {
        server.serve("/v2/library/evil/manifests/1", ("{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"" + MediaTypes.MODEL
                + "\",\"digest\":\"sha256:../../etc/passwd\",\"size\":1}]}").getBytes(), MediaTypes.DOCKER_MANIFEST, Map.of());
        server.serve("/v2/library/huge/manifests/1", ("{\"schemaVersion\":2,\"layers\":[{\"mediaType\":\"" + MediaTypes.MODEL
                + "\",\"digest\":\"sha256:" + TestModels.TINY_LLAMA_SHA256 + "\",\"size\":99999999999999999}]}").getBytes(), MediaTypes.DOCKER_MANIFEST, Map.of());
        try (var store = new LocalModelStore(singleStream())) {
            assertThatThrownBy(() -> store.pull(PullRequest.of("evil:1"), null))
                    .hasMessage("the manifest of evil:1 layers[0].digest 'sha256:../../etc/passwd' is not a sha256 digest");
            assertThatThrownBy(() -> store.pull(PullRequest.of("huge:1"), null))
                    .hasMessageContaining("layers[0] is 99999999999999999 bytes, above the limit");
        }
    }

    @Test
    void notEnoughFreeDiskFailsBeforeAnyBlobIsFetched() {
        var published = registry.publish("library", "tiny", "1", tiny);
        var settings = singleStream().withLimits(1L << 30, 1000, folder -> 5_000);
        try (var store = new LocalModelStore(settings)) {
            assertThatThrownBy(() -> store.pull(PullRequest.of("tiny:1"), null))
                    .isInstanceOf(AixclException.Failed.class)
                    .hasMessageContaining("not enough free disk space for tiny:1: it needs " + published.totalSize()
                            + " more bytes (plus a reserve of 1000), but only 5000 are usable");
        }
        assertThat(server.requests()).extracting(FaultyServer.Request::path).containsExactly(published.manifestPath());
    }

    @Test
    void aModelWhoseFileIsNotGgufIsNotRegistered() {
        byte[] notGguf = "PK\u0003\u0004 this is a zip, not a model".getBytes();
        var published = registry.publish("library", "zip", "1", notGguf);
        try (var store = new LocalModelStore(singleStream())) {
            assertThatThrownBy(() -> store.pull(PullRequest.of("zip:1"), null))
                    .isInstanceOf(InvalidModelFile.class)
                    .hasMessageContaining("the model file of zip:1 (" + published.model().shortForm() + ") is not a valid GGUF file, so nothing was added")
                    .hasMessageContaining("not a GGUF file: the magic is 'PK\\x03\\x04'");
            assertThat(store.list()).isEmpty();
        }
        assertThat(root.resolve("blobs/" + published.model().fileName())).doesNotExist();
        assertThat(root.resolve("manifests/registry.ollama.ai/library/zip")).doesNotExist();
    }

    @Test
    void twoConcurrentPullsOfTheSameModelShareOneDownload() throws Exception {
        var published = registry.publish("library", "tiny", "1", tiny);
        String blob = published.blobPath("library", "tiny", published.model());
        server.throttle(blob, 2_000_000); // ~0.9 s, so the pulls overlap
        try (var store = new LocalModelStore(singleStream())) {
            var secondProgress = new CopyOnWriteArrayList<PullEvent>();
            var first = Thread.ofVirtual().start(() -> store.pull(PullRequest.of("tiny:1"), null));
            awaitRequest(blob);
            var second = Thread.ofVirtual().start(() -> store.pull(PullRequest.of("tiny:1"), secondProgress::add));
            first.join();
            second.join();

            assertThat(store.list()).hasSize(1);
            assertThat(secondProgress).last().isInstanceOf(PullEvent.Published.class);
            assertThat(secondProgress).filteredOn(PullEvent.BlobStarted.class::isInstance)
                    .extracting(e -> ((PullEvent.BlobStarted) e).digest()).contains(published.model());
        }
        assertThat(server.requests("GET", blob)).hasSize(1);
    }

    @Test
    void aModelIsNeverListedBeforeEveryBlobIsVerified() throws Exception {
        var published = registry.publish("library", "tiny", "1", tiny);
        String blob = published.blobPath("library", "tiny", published.model());
        server.throttle(blob, 3_000_000);
        Path modelFile = root.resolve("blobs/" + published.model().fileName());
        try (var store = new LocalModelStore(parallel())) {
            var pull = Thread.ofVirtual().start(() -> store.pull(PullRequest.of("tiny:1"), null));
            int unlisted = 0;
            while (pull.isAlive()) {
                if (store.list().isEmpty()) {
                    unlisted++;
                } else {
                    // Listed means complete: every blob verified and in place.
                    assertThat(modelFile).hasSameBinaryContentAs(TestModels.tinyLlama());
                    published.digests().values().forEach(d -> assertThat(root.resolve("blobs/" + d.fileName())).isRegularFile());
                }
                Thread.sleep(5);
            }
            assertThat(unlisted).as("observations while the blob was downloading").isGreaterThan(10);
            assertThat(store.list()).hasSize(1);
        }
    }

    private void awaitRequest(String path) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (server.requests("GET", path).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no request for " + path);
            }
            Thread.sleep(5);
        }
    }

    static Digest sha(byte[] b) {
        return TestRegistry.digest(b);
    }
}
