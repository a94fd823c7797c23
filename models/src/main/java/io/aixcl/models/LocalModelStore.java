package io.aixcl.models;

import io.aixcl.core.AixclException;
import io.aixcl.core.models.Digest;
import io.aixcl.core.models.GcOptions;
import io.aixcl.core.models.GcReport;
import io.aixcl.core.models.ModelDetails;
import io.aixcl.core.models.ModelName;
import io.aixcl.core.models.ModelStore;
import io.aixcl.core.models.ModelSummary;
import io.aixcl.core.models.PullListener;
import io.aixcl.core.models.PullRequest;
import io.aixcl.core.models.PullResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The model store on this machine's disk (see {@link StoreLayout}). Safe for concurrent use by many threads and
 * by several processes on one folder: blobs and manifests appear by atomic renames, publish/remove/gc hold the
 * store lock, and each download holds its partial's lock.
 */
public final class LocalModelStore implements ModelStore {
    private final ModelStoreSettings settings;
    private final StoreLayout layout;
    private final BlobStore blobs;
    private final ManifestStore manifests;
    private final StallWatchdog watchdog;
    private final BlobDownloads downloads;
    private final ModelPuller puller;
    private final SafeHttp http;
    private final Map<ModelName, ServedManifest> served = new ConcurrentHashMap<>();

    public LocalModelStore(ModelStoreSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.layout = StoreLayout.create(settings.root());
        var codec = new ManifestCodec(settings.maxBlobBytes());
        this.blobs = new BlobStore(layout);
        this.manifests = new ManifestStore(layout, codec);
        // A pool for a ranged download's connections to a host, four blobs at once.
        this.http = new SafeHttp(new EnvProxySelector(settings.env()), settings.connectTimeout(), settings.stallTimeout(),
                settings.connectionsPerBlob() * 4);
        this.watchdog = new StallWatchdog(settings.stallTimeout());
        this.downloads = new BlobDownloads(layout, blobs, http, watchdog, settings);
        var requests = new MetadataRequests(http, settings.retry());
        this.puller = new ModelPuller(layout, blobs, manifests, downloads, new RegistryClient(requests, codec, settings),
                new HuggingFaceClient(requests, settings), requests, codec, settings);
    }

    public Path root() {
        return layout.root();
    }

    @Override
    public List<ModelSummary> list() {
        List<ModelSummary> out = new ArrayList<>();
        for (ManifestStore.Stored s : manifests.list()) {
            // Publishing guarantees complete models; this re-check keeps a hand-damaged store from listing one.
            if (s.manifest().blobs().stream().allMatch(b -> blobs.contains(b.digest(), b.size()))) {
                out.add(summary(s));
            }
        }
        return out;
    }

    @Override
    public ModelDetails show(ModelName name) {
        ManifestStore.Stored s = stored(name);
        Manifest m = s.manifest();
        Path modelFile = blobs.path(m.modelLayer().digest());
        if (!Files.isRegularFile(modelFile)) {
            throw new AixclException.Failed("the model file of " + name.display() + " (" + m.modelLayer().digest()
                    + ") is missing from the store; pull the model again", null);
        }
        var layers = m.blobs().stream().map(l -> new ModelDetails.Layer(l.mediaType(), l.digest(), l.size())).toList();
        return new ModelDetails(summary(s), layers, GgufReader.read(modelFile).summary());
    }

    @Override
    public Path modelFile(ModelName name) {
        return blobs.path(stored(name).manifest().modelLayer().digest());
    }

    /**
     * As {@link #list} would say, from a stat of the one manifest and of its blobs: the manifest is parsed again only
     * when its file changed (a publish renames a new file into place, so a new model under the name is a new file).
     */
    @Override
    public Optional<Path> servedFile(ModelName name) {
        Objects.requireNonNull(name, "name is null");
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(layout.manifest(name), BasicFileAttributes.class);
        } catch (IOException e) {
            served.remove(name);
            return Optional.empty();
        }
        ServedManifest known = served.get(name);
        if (known == null || !known.sameFile(attributes)) {
            Optional<ManifestStore.Stored> stored;
            try {
                stored = manifests.read(name);
            } catch (RuntimeException e) {
                return Optional.empty(); // unreadable: not listed either
            }
            if (stored.isEmpty()) {
                return Optional.empty();
            }
            known = new ServedManifest(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size(),
                    stored.get().manifest());
            served.put(name, known);
        }
        for (var blob : known.manifest().blobs()) {
            if (!blobs.contains(blob.digest(), blob.size())) {
                return Optional.empty();
            }
        }
        return Optional.of(blobs.path(known.manifest().modelLayer().digest()));
    }

    /** A manifest as parsed, and the file it was parsed from. */
    private record ServedManifest(Object fileKey, FileTime modified, long size, Manifest manifest) {
        boolean sameFile(BasicFileAttributes a) {
            return fileKey != null && fileKey.equals(a.fileKey()) && modified.equals(a.lastModifiedTime())
                    && size == a.size();
        }
    }

    @Override
    public PullResult pull(PullRequest request, PullListener listener) {
        Objects.requireNonNull(request, "request is null");
        return puller.pull(request, listener == null ? PullListener.NONE : listener);
    }

    @Override
    public void remove(ModelName name) {
        FileLocks.withLock(layout.storeLock(), () -> {
            if (!manifests.delete(name)) {
                throw new AixclException.NotFound("model " + name.display() + " is not in the store");
            }
            return null;
        });
    }

    @Override
    public GcReport gc(GcOptions options) {
        Objects.requireNonNull(options, "options is null");
        return FileLocks.withLock(layout.storeLock(), () -> gcLocked(options));
    }

    private GcReport gcLocked(GcOptions options) {
        Set<Digest> referenced = new HashSet<>();
        for (ModelName name : manifests.names()) {
            try {
                manifests.read(name).ifPresent(s -> s.manifest().blobs().forEach(b -> referenced.add(b.digest())));
            } catch (RuntimeException e) {
                // Deleting blobs on a guess could destroy a model: refuse until the manifest is fixed or removed.
                throw new AixclException.Failed("gc stopped: the manifest of " + name.display() + " cannot be read ("
                        + e.getMessage() + "); remove that model first", e);
            }
        }
        Instant now = Instant.now();
        Instant graceCutoff = now.minus(settings.blobGracePeriod());
        List<Digest> removed = new ArrayList<>();
        List<Digest> kept = new ArrayList<>();
        long freed = 0;
        for (Digest d : blobs.list()) {
            if (referenced.contains(d)) {
                continue;
            }
            if (blobs.modified(d).isAfter(graceCutoff)) {
                kept.add(d); // a pull may be about to publish a manifest naming it
                continue;
            }
            long size = blobs.size(d).orElse(0L);
            if (options.dryRun() || blobs.delete(d)) {
                removed.add(d);
                freed += size;
            }
        }
        List<String> partials = gcPartials(now.minus(options.partialsOlderThan()), options.dryRun());
        return new GcReport(removed, freed, partials, kept);
    }

    /** Removes partial downloads nobody holds and nobody touched since {@code cutoff}; returns their keys. */
    private List<String> gcPartials(Instant cutoff, boolean dryRun) {
        Map<String, List<Path>> byKey = new HashMap<>();
        try (Stream<Path> files = Files.list(layout.partials())) {
            files.forEach(p -> byKey.computeIfAbsent(partialKey(p.getFileName().toString()), k -> new ArrayList<>()).add(p));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list partial downloads: " + e.getMessage(), e);
        }
        Set<String> active = downloads.activeKeys();
        List<String> removed = new ArrayList<>();
        for (var entry : byKey.entrySet()) {
            String key = entry.getKey();
            if (active.contains(key) || entry.getValue().stream().anyMatch(p -> modified(p).isAfter(cutoff))) {
                continue;
            }
            try (FileLocks.Held held = FileLocks.tryAcquire(layout.partialLock(key))) {
                if (held == null) {
                    continue; // another process is downloading it
                }
                if (!dryRun) {
                    entry.getValue().forEach(BlobStore::deleteQuietly);
                    BlobStore.deleteQuietly(layout.partialLock(key)); // waiters on it notice and re-lock a new file
                }
                removed.add(key);
            }
        }
        removed.sort(null);
        return removed;
    }

    private static String partialKey(String fileName) {
        for (String suffix : List.of(".json.tmp", ".json", ".lock")) {
            if (fileName.endsWith(suffix)) {
                return fileName.substring(0, fileName.length() - suffix.length());
            }
        }
        return fileName;
    }

    private static Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    @Override
    public void close() {
        downloads.close();
        watchdog.close();
        http.close();
    }

    private ManifestStore.Stored stored(ModelName name) {
        return manifests.read(name).orElseThrow(() -> new AixclException.NotFound("model " + name.display() + " is not in the store"));
    }

    private ModelSummary summary(ManifestStore.Stored s) {
        return new ModelSummary(s.name(), s.manifest().totalSize(), s.modified(), s.manifest().modelLayer().digest());
    }
}
