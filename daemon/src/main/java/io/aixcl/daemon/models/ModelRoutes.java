package io.aixcl.daemon.models;

import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.core.models.Digest;
import io.aixcl.core.models.GcOptions;
import io.aixcl.core.models.GcReport;
import io.aixcl.core.models.ModelDetails;
import io.aixcl.core.models.ModelName;
import io.aixcl.core.models.ModelRef;
import io.aixcl.core.models.ModelStore;
import io.aixcl.core.models.PullEvent;
import io.aixcl.core.models.PullRequest;
import io.aixcl.core.models.PullResult;
import io.aixcl.daemon.http.ErrorMapping;
import io.aixcl.daemon.http.Exchange;
import io.aixcl.daemon.http.Router;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The model store through the control plane: pulls (with progress), listing, details, removal, gc. Pull and
 * remove are control-plane operations of the daemon's owner, audited like every other change; nothing here is
 * reachable with an inference key.
 */
public final class ModelRoutes {
    private final Supplier<ModelStore> store;

    public ModelRoutes(Supplier<ModelStore> store) {
        this.store = store;
    }

    public void register(Router r) {
        r.get(ApiPaths.MODELS, ex -> ex.ok(store.get().list().stream().map(m -> new Dtos.Model(m.name().display(),
                m.sizeBytes(), m.modifiedAt().toString(), m.modelDigest().toString())).toList()));
        r.get(ApiPaths.MODELS_SHOW, this::show);
        r.post(ApiPaths.MODELS_PULL, this::pull);
        r.post(ApiPaths.MODELS_REMOVE, ex -> {
            ModelName name = name(ex.body(Dtos.ModelName.class).name());
            store.get().remove(name);
            ex.ok(Map.of("removed", name.display()));
        });
        r.post(ApiPaths.MODELS_GC, ex -> {
            GcReport g = store.get().gc(new GcOptions(GcOptions.DEFAULT.partialsOlderThan(),
                    ex.body(Dtos.ModelGc.class).dryRun()));
            ex.ok(Map.of("removedBlobs", g.removedBlobs().size(), "freedBytes", g.freedBytes(),
                    "removedPartials", g.removedPartials().size(), "keptRecent", g.keptRecent().size()));
        });
    }

    private static ModelName name(String text) {
        if (text == null || text.isBlank()) {
            throw new ErrorMapping.BadRequest("a model name is required");
        }
        return ModelName.parse(text);
    }

    private void show(Exchange ex) throws IOException {
        ModelDetails d = store.get().show(name(ex.query("name")));
        var g = d.gguf();
        ex.ok(new Dtos.ModelDetails(d.summary().name().display(), d.summary().sizeBytes(),
                d.summary().modelDigest().toString(), g.architecture(), g.parameterCount(), g.parameterCountEstimated(),
                g.quantization(), g.contextLength().isPresent() ? g.contextLength().getAsLong() : null, g.version(),
                d.layers().stream().map(Object::toString).toList()));
    }

    private void pull(Exchange ex) throws IOException {
        Dtos.ModelPull req = ex.body(Dtos.ModelPull.class);
        if (req.ref() == null || req.ref().isBlank()) {
            throw new ErrorMapping.BadRequest("a model reference is required");
        }
        ModelRef ref = ModelRef.parse(req.ref());
        if (ref instanceof ModelRef.LocalFile f && !f.path().isAbsolute()) {
            throw new ErrorMapping.BadRequest("a local model file must be an absolute path (the CLI makes it one)");
        }
        PullRequest pull = PullRequest.of(ref);
        if (req.sha256() != null && !req.sha256().isBlank()) {
            pull = pull.withSha256(Digest.parse(req.sha256()));
        }
        if (req.name() != null && !req.name().isBlank()) {
            pull = pull.named(ModelName.parse(req.name()));
        }
        if (req.allowInsecureHttp()) {
            pull = pull.allowingInsecureHttp();
        }
        PullRequest request = pull;
        try (Exchange.EventStream stream = ex.stream()) {
            try {
                PullResult result = store.get().pull(request, event -> stream.send(event(event)));
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("name", result.name().display());
                r.put("sizeBytes", result.sizeBytes());
                r.put("downloadedBytes", result.downloadedBytes());
                stream.send(new Dtos.Event("result", null, null, null, null, null, 0, 0, null, null, null, null, r));
            } catch (RuntimeException e) {
                stream.send(Dtos.Event.error(ErrorMapping.toApiError(e)));
            }
        }
    }

    private static Dtos.Event event(PullEvent e) {
        return switch (e) {
            case PullEvent.Resolved r -> Dtos.Event.step(r.name().display(), "resolved", r.blobs() + " blob(s), "
                    + r.totalBytes() + " bytes, " + r.presentBytes() + " already here");
            case PullEvent.BlobStarted b -> new Dtos.Event("pull", null, b.resumedFrom() > 0 ? "resuming" : "downloading",
                    null, b.digest().toString(), b.digest().toString(), b.resumedFrom(), b.size(), null, null, null,
                    null, null);
            case PullEvent.Progress p -> new Dtos.Event("pull", null, "downloading", null, null, "total",
                    p.completedBytes(), p.totalBytes(), null, null, null, null, null);
            case PullEvent.Retrying r -> Dtos.Event.step(r.digest().toString(), "retrying", "attempt " + r.attempt()
                    + " in " + r.delay().toMillis() + " ms: " + r.reason());
            case PullEvent.BlobVerified b -> new Dtos.Event("pull", null, "verified complete", null, null,
                    b.digest().toString(), b.size(), b.size(), null, null, null, null, null);
            case PullEvent.Published p -> Dtos.Event.step(p.name().display(), "published", p.sizeBytes() + " bytes");
        };
    }

    /** The store under the data folder, opened on first use. */
    public static Supplier<ModelStore> lazy(Supplier<ModelStore> open) {
        return new Supplier<>() {
            private ModelStore store;

            @Override
            public synchronized ModelStore get() {
                if (store == null) {
                    store = open.get();
                }
                return store;
            }
        };
    }

}
