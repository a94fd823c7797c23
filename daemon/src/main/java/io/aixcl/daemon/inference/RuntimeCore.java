package io.aixcl.daemon.inference;

import io.aixcl.core.AixclException;
import io.aixcl.core.inference.EngineState;
import io.aixcl.core.inference.InferenceBackends;
import io.aixcl.core.inference.InferenceEngine;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.ModelStatus;
import io.aixcl.core.inference.ServedModel;
import io.aixcl.core.models.GgufSummary;
import io.aixcl.core.models.ModelName;
import io.aixcl.core.models.ModelStore;
import io.aixcl.core.models.ModelSummary;
import io.aixcl.stackfile.Settings;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The runtime core as the gateway sees it. Embedded, it serves the models of the model store, each loaded on demand
 * into the daemon's supervised llama.cpp engine with the settings' defaults; otherwise it hands every request to the
 * upstream engine (the stack's Ollama container, or an OpenAI-compatible URL), which knows its own models.
 *
 * <p>Where it runs is decided by {@code stack start} ({@link #use}); before that, at the first request, from the
 * setting and whether a container engine answers.
 */
public final class RuntimeCore implements InferenceBackends, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RuntimeCore.class.getName());

    /** The port the runtime containers serve on; the gateway owns Ollama's well-known 11434 in front of it. */
    public static final URI CONTAINER_UPSTREAM = URI.create("http://127.0.0.1:11435");

    private final Settings.Inference settings;
    private final Supplier<ModelStore> store;
    private final Supplier<InferenceEngine> embeddedFactory;
    private final UpstreamEngines upstreamEngines;
    private final Supplier<Optional<String>> containerEngineProblem;

    private volatile RuntimePlacement placement;
    private InferenceEngine embedded;
    private int restartsBeforeStop;
    private volatile InferenceEngine upstream;
    private volatile RuntimePlacement upstreamPlacement;
    private final java.util.Set<String> upstreamRegistered = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** What each model id was last registered as on the embedded engine. */
    private final java.util.Map<String, ModelSpec> embeddedSpecs = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param embeddedFactory a new, unstarted embedded engine (one per start: a stopped engine is not restarted)
     * @param upstreamEngines engines for the upstream base URLs (the stack's Ollama, an OpenAI-compatible server)
     * @param containerEngineProblem empty when a container engine answers, else why none does
     */
    public RuntimeCore(Settings.Inference settings, Supplier<ModelStore> store,
                       Supplier<InferenceEngine> embeddedFactory, UpstreamEngines upstreamEngines,
                       Supplier<Optional<String>> containerEngineProblem) {
        this.settings = Objects.requireNonNull(settings, "settings is null");
        this.store = Objects.requireNonNull(store, "store is null");
        this.embeddedFactory = Objects.requireNonNull(embeddedFactory, "embeddedFactory is null");
        this.upstreamEngines = Objects.requireNonNull(upstreamEngines, "upstreamEngines is null");
        this.containerEngineProblem = Objects.requireNonNull(containerEngineProblem,
                "containerEngineProblem is null");
    }

    /** How to reach an upstream: Ollama's API (the runtime container) or an OpenAI-compatible one (inference.url). */
    public record UpstreamEngines(Function<URI, InferenceEngine> ollama, Function<URI, InferenceEngine> openAi) {
        public UpstreamEngines {
            Objects.requireNonNull(ollama, "ollama is null");
            Objects.requireNonNull(openAi, "openAi is null");
        }
    }

    public Settings.Inference settings() {
        return settings;
    }

    /** Runs the runtime core where {@code next} says; leaving the embedded engine stops it. */
    public synchronized void use(RuntimePlacement next) {
        Objects.requireNonNull(next, "next is null");
        if (!(next instanceof RuntimePlacement.Embedded)) {
            stopEmbedded();
        }
        placement = next;
        LOG.info("inference: " + next.describe());
    }

    /** Where the runtime core runs, deciding it now (without pulling anything) if no stack start has. */
    public RuntimePlacement placement() {
        RuntimePlacement decided = placement; // volatile: every request asks, so no lock once it is decided
        if (decided != null) {
            return decided;
        }
        return decide();
    }

    private synchronized RuntimePlacement decide() {
        if (placement == null) {
            placement = EngineChoice.choose(settings.engine(), settings.url(), CONTAINER_UPSTREAM, new EngineChoice.Host() {
                @Override
                public Optional<String> containerEngineProblem() {
                    return containerEngineProblem.get();
                }

                @Override
                public String runtimeImage() {
                    return "(the stack's runtime image)";
                }

                @Override
                public Optional<String> runtimeImageProblem() {
                    return Optional.empty(); // known at stack start, which pulls it
                }
            });
            LOG.info("inference: " + placement.describe());
        }
        return placement;
    }

    /** The placement if one was decided, without deciding it. */
    public synchronized Optional<RuntimePlacement> decided() {
        return Optional.ofNullable(placement);
    }

    /** Starts the embedded engine unless it runs, waiting until it is ready. */
    public synchronized EngineState startEmbedded() {
        if (embedded == null) {
            InferenceEngine engine = embeddedFactory.get();
            try {
                engine.start();
            } catch (RuntimeException e) {
                engine.close();
                throw e;
            }
            embedded = engine;
        }
        return embedded.state();
    }

    /** Stops the embedded engine, freeing its models; a no-op when it is not running. */
    public synchronized void stopEmbedded() {
        if (embedded != null) {
            restartsBeforeStop = embedded.state().restarts();
            try {
                embedded.close();
            } finally {
                embedded = null;
            }
        }
    }

    public synchronized EngineState embeddedState() {
        return embedded == null ? new EngineState.Stopped(restartsBeforeStop) : embedded.state();
    }

    /** The embedded engine's registered models, resident or not; empty when it is stopped. */
    public synchronized List<ModelStatus> embeddedModels() {
        return embedded == null ? List.of() : embedded.models();
    }

    @Override
    public List<ServedModel> models() {
        return switch (placement()) {
            case RuntimePlacement.Embedded e -> storeModels();
            case RuntimePlacement.Container c -> upstreamModels(c);
            case RuntimePlacement.Remote r -> upstreamModels(r);
        };
    }

    /**
     * Embedded: the store's model that {@code modelId} names, loaded under that id. Upstream: the upstream engine,
     * which resolves (or refuses) the name itself.
     */
    @Override
    public InferenceEngine engineFor(String modelId) {
        Objects.requireNonNull(modelId, "modelId is null");
        return switch (placement()) {
            case RuntimePlacement.Embedded e -> loadEmbedded(modelId);
            case RuntimePlacement.Container c -> upstreamFor(c, modelId);
            case RuntimePlacement.Remote r -> upstreamFor(r, modelId);
        };
    }

    /** Upstream placements only: a model registered on the connected upstream. The embedded engine may load. */
    @Override
    public boolean ready(String modelId) {
        RuntimePlacement decided = placement;
        return decided != null && !(decided instanceof RuntimePlacement.Embedded) && upstream != null
                && decided.equals(upstreamPlacement) && upstreamRegistered.contains(modelId);
    }

    @Override
    public List<ModelStatus> resident() {
        return switch (placement()) {
            case RuntimePlacement.Embedded e -> embeddedModels().stream().filter(ModelStatus::resident).toList();
            case RuntimePlacement.Container c -> upstream(c).models().stream()
                    .filter(ModelStatus::resident).toList();
            case RuntimePlacement.Remote r when r.api() == RuntimePlacement.Remote.Api.OLLAMA -> upstream(r).models()
                    .stream().filter(ModelStatus::resident).toList();
            case RuntimePlacement.Remote r -> List.of(); // an OpenAI-compatible server does not say
        };
    }

    @Override
    public void release(String modelId) {
        Objects.requireNonNull(modelId, "modelId is null");
        switch (placement()) {
            case RuntimePlacement.Embedded e -> {
                InferenceEngine engine;
                synchronized (this) {
                    engine = embedded;
                }
                if (engine != null && idle(engine.models(), modelId)) {
                    engine.unload(modelId);
                }
            }
            case RuntimePlacement.Container c -> releaseUpstream(c, modelId);
            case RuntimePlacement.Remote r when r.api() == RuntimePlacement.Remote.Api.OLLAMA ->
                    releaseUpstream(r, modelId);
            case RuntimePlacement.Remote r -> { } // an OpenAI-compatible server manages its own memory
        }
    }

    /** Forgets the model here and asks the Ollama upstream to free it ({@code keep_alive: 0}); re-registered on use. */
    private synchronized void releaseUpstream(RuntimePlacement placement, String modelId) {
        if (!upstreamRegistered.contains(modelId)) {
            return; // never asked of the upstream through here
        }
        InferenceEngine engine = upstream(placement);
        if (idle(engine.models(), modelId)) {
            upstreamRegistered.remove(modelId);
            engine.unload(modelId);
        }
    }

    private static boolean idle(List<ModelStatus> models, String modelId) {
        return models.stream().anyMatch(m -> m.id().equals(modelId) && m.running() == 0 && m.queued() == 0);
    }

    @Override
    public synchronized void close() {
        stopEmbedded();
        closeUpstream();
    }

    private InferenceEngine loadEmbedded(String modelId) {
        ModelStore models = store.get();
        // Every request: a removed model stops being served. The exact name (the usual case) costs a few stats; a
        // bare name of a model stored under another registry, or no such model, lists the store.
        Optional<ModelName> exactName = exactName(modelId);
        Optional<java.nio.file.Path> exact = exactName.flatMap(models::servedFile);
        ModelName name;
        java.nio.file.Path file;
        if (exact.isPresent()) {
            name = exactName.get();
            file = exact.get();
        } else {
            name = resolve(modelId, models.list());
            file = models.modelFile(name);
        }
        InferenceEngine engine;
        synchronized (this) {
            startEmbedded();
            engine = embedded;
        }
        // Registered already with this file: the engine brings an evicted model back on demand, so the request
        // needs neither the GGUF header (parsing a tokenizer's vocabulary costs tens of milliseconds) nor a load.
        ModelSpec known = embeddedSpecs.get(modelId);
        if (known != null && known.path().equals(file)
                && engine.models().stream().anyMatch(m -> m.spec().equals(known))) {
            return engine;
        }
        int context = settings.contextTokens();
        OptionalLong trained = gguf(models, name).map(GgufSummary::contextLength).orElse(OptionalLong.empty());
        if (trained.isPresent() && trained.getAsLong() >= 16 && trained.getAsLong() < context) {
            context = (int) trained.getAsLong(); // more than the model was trained on only wastes memory
        }
        ModelSpec spec = new ModelSpec(modelId, file, settings.keepAlive(), context, settings.concurrency(),
                settings.queue());
        engine.load(spec);
        embeddedSpecs.put(modelId, spec);
        return engine;
    }

    /**
     * The stored model a client's name means: the exact name ({@code qwen2.5-coder:0.5b}, with {@code :latest} when
     * no tag is given), else, for a bare name, the one stored model of that name and tag in any registry
     * ({@code llama-2-tiny-random} for {@code local/files/llama-2-tiny-random:latest}).
     */
    static ModelName resolve(String modelId, List<ModelSummary> stored) {
        List<String> available = stored.stream().map(s -> s.name().display()).sorted().toList();
        ModelName wanted;
        try {
            wanted = ModelName.parse(modelId);
        } catch (AixclException.InvalidInput e) {
            throw new InferenceException.ModelNotFound(modelId, available);
        }
        for (ModelSummary s : stored) {
            if (s.name().equals(wanted)) {
                return s.name();
            }
        }
        boolean bare = !modelId.contains("/") && wanted.registry().equals(ModelName.DEFAULT_REGISTRY)
                && wanted.namespace().equals(ModelName.DEFAULT_NAMESPACE);
        if (bare) {
            List<ModelName> sameName = stored.stream().map(ModelSummary::name)
                    .filter(n -> n.name().equals(wanted.name()) && n.tag().equals(wanted.tag())).toList();
            if (sameName.size() == 1) {
                return sameName.getFirst();
            }
        }
        throw new InferenceException.ModelNotFound(modelId, available);
    }

    private static Optional<ModelName> exactName(String modelId) {
        try {
            return Optional.of(ModelName.parse(modelId));
        } catch (AixclException.InvalidInput e) {
            return Optional.empty();
        }
    }

    private List<ServedModel> storeModels() {
        ModelStore models = store.get();
        List<ServedModel> out = new ArrayList<>();
        for (ModelSummary s : models.list()) {
            Optional<GgufSummary> g = gguf(models, s.name());
            out.add(new ServedModel(s.name().display(), "embedded", s.sizeBytes(), s.modifiedAt(),
                    s.modelDigest().hex(), g.map(GgufSummary::architecture).orElse(""),
                    g.map(GgufSummary::parameterCount).orElse(0L), g.map(GgufSummary::quantization).orElse(""),
                    g.map(GgufSummary::contextLength).orElse(OptionalLong.empty())));
        }
        out.sort(Comparator.comparing(ServedModel::id));
        return out;
    }

    /** The model file's header facts; a model whose file cannot be read is still listed, without them. */
    private static Optional<GgufSummary> gguf(ModelStore models, ModelName name) {
        try {
            return Optional.of(models.show(name).gguf());
        } catch (RuntimeException e) {
            LOG.warning("cannot read the GGUF header of " + name.display() + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private List<ServedModel> upstreamModels(RuntimePlacement placement) {
        return upstream(placement).available().stream().sorted(Comparator.comparing(ServedModel::id)).toList();
    }

    /**
     * The upstream with {@code modelId} registered on it. Registration asks the upstream whether it has the model,
     * so it happens once per model, not per request. An upstream schedules its own work: aixcl only caps what it
     * sends at once ({@link #UPSTREAM_CONCURRENCY}, {@link #UPSTREAM_QUEUE} more waiting).
     */
    private InferenceEngine upstreamFor(RuntimePlacement placement, String modelId) {
        InferenceEngine engine = upstream(placement);
        if (!upstreamRegistered.contains(modelId)) {
            synchronized (this) {
                if (!upstreamRegistered.contains(modelId)) {
                    engine.load(new ModelSpec(modelId, java.nio.file.Path.of("upstream"), settings.keepAlive(),
                            settings.contextTokens(), UPSTREAM_CONCURRENCY, UPSTREAM_QUEUE));
                    upstreamRegistered.add(modelId);
                }
            }
        }
        return engine;
    }

    static final int UPSTREAM_CONCURRENCY = 64;
    static final int UPSTREAM_QUEUE = 1024;

    private InferenceEngine upstream(RuntimePlacement placement) {
        InferenceEngine current = upstream;
        if (current != null && placement.equals(upstreamPlacement)) {
            return current;
        }
        return connectUpstream(placement);
    }

    private synchronized InferenceEngine connectUpstream(RuntimePlacement placement) {
        URI url = switch (placement) {
            case RuntimePlacement.Container c -> c.upstream();
            case RuntimePlacement.Remote r -> r.url();
            case RuntimePlacement.Embedded e -> throw new IllegalStateException("the embedded engine is no upstream");
        };
        if (upstream == null || !placement.equals(upstreamPlacement)) {
            closeUpstream();
            boolean openAi = placement instanceof RuntimePlacement.Remote r
                    && r.api() == RuntimePlacement.Remote.Api.OPENAI;
            InferenceEngine engine = openAi ? upstreamEngines.openAi().apply(url) : upstreamEngines.ollama().apply(url);
            try {
                engine.start(); // waits until the upstream answers; a failure leaves none, so the next request retries
            } catch (RuntimeException e) {
                engine.close();
                throw e;
            }
            upstreamPlacement = placement;
            upstream = engine;
        }
        return upstream;
    }

    private void closeUpstream() {
        if (upstream != null) {
            try {
                upstream.close();
            } finally {
                upstream = null;
                upstreamPlacement = null;
                upstreamRegistered.clear();
            }
        }
    }
}
