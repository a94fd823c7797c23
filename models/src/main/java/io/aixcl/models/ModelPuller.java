package io.aixcl.models;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aixcl.core.AixclException;
import io.aixcl.core.models.Digest;
import io.aixcl.core.models.GgufSummary;
import io.aixcl.core.models.InvalidModelFile;
import io.aixcl.core.models.ModelName;
import io.aixcl.core.models.ModelRef;
import io.aixcl.core.models.PullEvent;
import io.aixcl.core.models.PullListener;
import io.aixcl.core.models.PullRequest;
import io.aixcl.core.models.PullResult;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One pull from plan to publish: resolve the reference to blobs, check free disk, fetch what is missing (blobs in
 * parallel; each blob's download shared with any other pull of it), validate every GGUF layer, and only then
 * write the manifest, under the store lock, after checking each blob is still there.
 */
final class ModelPuller {
    private final StoreLayout layout;
    private final BlobStore blobs;
    private final ManifestStore manifests;
    private final BlobDownloads downloads;
    private final RegistryClient registry;
    private final HuggingFaceClient hub;
    private final MetadataRequests requests;
    private final ManifestCodec codec;
    private final ModelStoreSettings settings;

    ModelPuller(StoreLayout layout, BlobStore blobs, ManifestStore manifests, BlobDownloads downloads,
                RegistryClient registry, HuggingFaceClient hub, MetadataRequests requests, ManifestCodec codec,
                ModelStoreSettings settings) {
        this.layout = layout;
        this.blobs = blobs;
        this.manifests = manifests;
        this.downloads = downloads;
        this.registry = registry;
        this.hub = hub;
        this.requests = requests;
        this.codec = codec;
        this.settings = settings;
    }

    PullResult pull(PullRequest request, PullListener listener) {
        ModelName name = request.targetName();
        PullPlan plan = plan(request, name);

        long known = 0;
        long present = 0;
        int unknown = 0;
        for (PullPlan.Item item : plan.items()) {
            if (item.size() < 0) {
                unknown++;
            } else {
                known += item.size();
                if (isPresent(item)) {
                    present += item.size();
                }
            }
        }
        var progress = new PullProgress(listener, known, unknown, present);
        progress.emit(new PullEvent.Resolved(name, plan.items().size(), unknown > 0 ? -1 : known, present));
        checkDiskSpace(plan, name);

        List<Manifest.Layer> fetched = fetchAll(plan, progress);
        validateGguf(name, plan, fetched);
        Manifest manifest = plan.registryConfig()
                ? new Manifest(MediaTypes.DOCKER_MANIFEST, Optional.of(fetched.getFirst()), fetched.subList(1, fetched.size()))
                : new Manifest(MediaTypes.DOCKER_MANIFEST, Optional.of(synthesizedConfig(name, fetched)), fetched);
        publish(name, manifest);
        progress.progress(true);
        progress.emit(new PullEvent.Published(name, manifest.totalSize()));
        return new PullResult(name, manifest.totalSize(), progress.transferred());
    }

    private PullPlan plan(PullRequest request, ModelName name) {
        return switch (request.ref()) {
            case ModelRef.Registry r -> {
                Manifest m = registry.manifest(r.name(), request.allowInsecureHttp());
                List<PullPlan.Item> items = new ArrayList<>();
                for (Manifest.Layer l : m.blobs()) {
                    items.add(new PullPlan.Item(l.mediaType(), Optional.of(l.digest()), l.size(),
                            new PullPlan.Source.Remote(registry.blob(r.name(), l.digest()), request.allowInsecureHttp()),
                            "blob " + l.digest().shortForm() + " of " + r.name().display()));
                }
                if (m.config().isEmpty()) {
                    yield new PullPlan(name, items, false); // an upstream without config gets ours
                }
                yield new PullPlan(name, items, true);
            }
            case ModelRef.HuggingFace h -> {
                var resolved = hub.resolve(h, request.allowInsecureHttp());
                Optional<Digest> digest = resolved.digest();
                if (request.sha256().isPresent()) {
                    if (digest.isPresent() && !digest.get().equals(request.sha256().get())) {
                        throw new AixclException.Failed("the hub says hf:" + h.org() + "/" + h.repo() + "/" + h.file()
                                + " is " + digest.get() + ", but " + request.sha256().get() + " was expected", null);
                    }
                    digest = request.sha256();
                }
                yield single(name, digest, resolved.size(), new PullPlan.Source.Remote(resolved.uri(), request.allowInsecureHttp()),
                        "hf:" + h.org() + "/" + h.repo() + "/" + h.file());
            }
            case ModelRef.Url u -> {
                UrlPolicy.check(u.uri(), request.allowInsecureHttp());
                Digest expected = request.sha256().orElseThrow(() -> new AixclException.InvalidInput(
                        "a URL pull needs --sha256 <digest> so the download can be verified: " + UrlPolicy.redact(u.uri())));
                yield single(name, Optional.of(expected), headSize(u), new PullPlan.Source.Remote(u.uri(), request.allowInsecureHttp()),
                        UrlPolicy.redact(u.uri()));
            }
            case ModelRef.LocalFile f -> {
                long size;
                try {
                    size = Files.size(f.path());
                } catch (IOException e) {
                    throw new AixclException.NotFound("model file " + f.path() + " does not exist or cannot be read");
                }
                yield single(name, request.sha256(), size, new PullPlan.Source.LocalFile(f.path()), f.path().toString());
            }
        };
    }

    private static PullPlan single(ModelName name, Optional<Digest> digest, long size, PullPlan.Source source, String label) {
        return new PullPlan(name, List.of(new PullPlan.Item(MediaTypes.MODEL, digest, size, source, label)), false);
    }

    /** The URL's size from a HEAD, or -1 (a server that refuses HEAD still gets a GET). */
    private long headSize(ModelRef.Url u) {
        try {
            var answer = requests.head(u.uri(), true, true, UrlPolicy.redact(u.uri()));
            return answer.status() == 200 ? answer.headers().firstValueAsLong("Content-Length").orElse(-1) : -1;
        } catch (AixclException.Failed e) {
            if (e.getMessage().startsWith("refused redirect")) {
                throw e;
            }
            return -1;
        }
    }

    private boolean isPresent(PullPlan.Item item) {
        return item.digest().isPresent() && blobs.contains(item.digest().get(), item.size());
    }

    private void checkDiskSpace(PullPlan plan, ModelName name) {
        long needed = 0;
        for (PullPlan.Item item : plan.items()) {
            if (item.size() > 0 && !isPresent(item)) {
                long partial = 0;
                try {
                    partial = Files.size(layout.partialData(item.partialKey()));
                } catch (IOException ignored) {
                    // no partial yet
                }
                needed += Math.max(0, item.size() - partial);
            }
        }
        if (needed == 0) {
            return;
        }
        long usable;
        try {
            usable = settings.diskSpace().usableBytes(layout.blobs());
        } catch (IOException e) {
            throw new AixclException.Failed("cannot tell the free space in " + layout.blobs() + ": " + e.getMessage(), e);
        }
        if (needed + settings.diskReserveBytes() > usable) {
            throw new AixclException.Failed("not enough free disk space for " + name.display() + ": it needs " + needed
                    + " more bytes (plus a reserve of " + settings.diskReserveBytes() + "), but only " + usable
                    + " are usable in " + layout.blobs(), null);
        }
    }

    /** Fetches (or imports) every blob, in parallel; returns them as manifest layers in plan order. */
    private List<Manifest.Layer> fetchAll(PullPlan plan, PullProgress progress) {
        ExecutorService exec = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<Manifest.Layer>> futures = new ArrayList<>();
        try {
            for (PullPlan.Item item : plan.items()) {
                futures.add(exec.submit(() -> fetch(item, progress)));
            }
            List<Manifest.Layer> layers = new ArrayList<>();
            for (Future<Manifest.Layer> f : futures) {
                layers.add(f.get());
            }
            return layers;
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new AixclException.Failed("pull of " + plan.name().display() + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new AixclException.Cancelled("pull of " + plan.name().display() + " was interrupted; partial downloads stay for a resume");
        } finally {
            exec.shutdownNow();
        }
    }

    private Manifest.Layer fetch(PullPlan.Item item, PullProgress progress) {
        if (isPresent(item)) {
            blobs.touch(item.digest().get());
            return new Manifest.Layer(item.mediaType(), item.digest().get(), item.size());
        }
        Digest digest;
        long size;
        switch (item.source()) {
            case PullPlan.Source.LocalFile f -> {
                digest = blobs.importFile(f.path(), item.digest(), settings.maxBlobBytes());
                size = blobs.size(digest).orElse(item.size());
            }
            case PullPlan.Source.Remote r -> {
                var job = new BlobDownloads.Job(item.partialKey(), r.uri(), item.digest(), item.size(), r.allowInsecureHttp(), item.label());
                var outcome = downloads.fetch(job, progress.blob(item.digest().orElse(null), item.size()));
                digest = outcome.digest();
                size = outcome.size();
            }
        }
        progress.emit(new PullEvent.BlobVerified(digest, size));
        return new Manifest.Layer(item.mediaType(), digest, size);
    }

    private void validateGguf(ModelName name, PullPlan plan, List<Manifest.Layer> layers) {
        for (Manifest.Layer l : layers) {
            if (!MediaTypes.GGUF_LAYERS.contains(l.mediaType())) {
                continue;
            }
            try {
                readGguf(name, l.digest());
            } catch (InvalidModelFile e) {
                dropIfUnreferenced(l.digest());
                throw new InvalidModelFile("the model file of " + name.display() + " (" + l.digest().shortForm()
                        + ") is not a valid GGUF file, so nothing was added: " + e.getMessage(), -1);
            }
        }
    }

    /**
     * The GGUF header of a verified blob not yet published. No manifest holds it yet, so a concurrent gc may take it:
     * that is the same outcome as {@link #publish} finding it gone (a conflict: pull again), not a missing file.
     */
    private GgufFile readGguf(ModelName name, Digest digest) {
        try {
            return GgufReader.read(blobs.path(digest));
        } catch (AixclException.NotFound e) {
            throw new AixclException.Conflict("blob " + digest + " of " + name.display()
                    + " disappeared before the model was published (a concurrent gc?); pull it again");
        }
    }

    private void dropIfUnreferenced(Digest digest) {
        FileLocks.withLock(layout.storeLock(), () -> {
            boolean used = manifests.list().stream()
                    .anyMatch(stored -> stored.manifest().blobs().stream().anyMatch(b -> b.digest().equals(digest)));
            return used || blobs.delete(digest);
        });
    }

    /** A config blob like the one Ollama writes for a GGUF import, so the store stays readable by Ollama. */
    private Manifest.Layer synthesizedConfig(ModelName name, List<Manifest.Layer> layers) {
        Manifest.Layer model = layers.stream().filter(l -> l.mediaType().equals(MediaTypes.MODEL)).findFirst().orElseThrow();
        GgufSummary gguf = readGguf(name, model.digest()).summary();
        ObjectNode config = codec.mapper().createObjectNode();
        config.put("model_format", "gguf");
        config.put("model_family", gguf.architecture());
        config.putArray("model_families").add(gguf.architecture());
        config.put("model_type", ParameterCounts.label(gguf.parameterCount()));
        config.put("file_type", gguf.quantization());
        config.put("architecture", "amd64");
        config.put("os", "linux");
        var rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        var diffIds = rootfs.putArray("diff_ids");
        layers.forEach(l -> diffIds.add(l.digest().toString()));
        byte[] bytes;
        try {
            bytes = codec.mapper().writeValueAsBytes(config);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Digest digest = blobs.put(bytes);
        return new Manifest.Layer(MediaTypes.DOCKER_CONFIG, digest, bytes.length);
    }

    private void publish(ModelName name, Manifest manifest) {
        FileLocks.withLock(layout.storeLock(), () -> {
            for (Manifest.Layer b : manifest.blobs()) {
                if (!blobs.contains(b.digest(), b.size())) {
                    throw new AixclException.Conflict("blob " + b.digest() + " of " + name.display()
                            + " disappeared before the model was published (a concurrent gc?); pull it again");
                }
            }
            manifests.write(name, manifest);
            return null;
        });
    }
}
