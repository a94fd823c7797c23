package io.aixcl.daemon.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.inference.EngineState;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationListener;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceEngine;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.ModelStatus;
import io.aixcl.core.inference.ServedModel;
import io.aixcl.stackfile.Settings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which upstream engine the runtime core hands requests to, per placement; the engines are stubs (pure logic). */
class UpstreamDispatchTest {

    /** An upstream that knows one model and records whether it was closed. */
    private static final class StubUpstream implements InferenceEngine {
        final URI url;
        boolean closed;
        int running;
        final List<String> unloaded = new ArrayList<>();

        final String kind;

        StubUpstream(String kind, URI url) {
            this.kind = kind;
            this.url = url;
        }

        @Override
        public List<ServedModel> available() {
            return List.of(new ServedModel("qwen2.5-coder:0.5b", kind, 1, Instant.EPOCH, "", "", 0, "",
                    java.util.OptionalLong.empty()));
        }

        public void start() { }

        public EngineState state() {
            return new EngineState.Ready(0, Instant.EPOCH);
        }

        public ModelStatus load(ModelSpec model) {
            return new ModelStatus(model, true, 0, 0, Instant.EPOCH, Optional.empty());
        }

        public void unload(String modelId) {
            unloaded.add(modelId);
        }

        public List<ModelStatus> models() {
            return List.of(new ModelStatus(ModelSpec.of("qwen2.5-coder:0.5b", Path.of("/m")), true, running, 0,
                    Instant.EPOCH, Optional.empty()));
        }

        public Generation generate(GenerationRequest request, GenerationListener listener) {
            throw new UnsupportedOperationException();
        }

        public void close() {
            closed = true;
        }
    }

    private final List<String> made = new ArrayList<>();
    private final List<StubUpstream> engines = new ArrayList<>();

    private RuntimeCore core(Settings.Inference.Engine engine, Optional<URI> url) {
        Settings.Inference s = new Settings.Inference(engine, url, Optional.empty(), 2048, 1, 8,
                java.time.Duration.ofMinutes(5));
        return new RuntimeCore(s, () -> { throw new AssertionError("no store for an upstream"); },
                () -> { throw new AssertionError("no embedded engine for an upstream"); },
                new RuntimeCore.UpstreamEngines(u -> stub("ollama", u), u -> stub("openai", u)), Optional::empty);
    }

    private StubUpstream stub(String kind, URI url) {
        made.add(kind + " " + url);
        StubUpstream e = new StubUpstream(kind, url);
        engines.add(e);
        return e;
    }

    @Test
    void withAContainerEngineAutoServesThroughTheContainersOllamaOnTheUpstreamPort() {
        RuntimeCore core = core(Settings.Inference.Engine.AUTO, Optional.empty());
        InferenceEngine e = core.engineFor("qwen2.5-coder:0.5b");
        assertThat(made).containsExactly("ollama http://127.0.0.1:11435");
        assertThat(core.engineFor("anything")).isSameAs(e);
        assertThat(core.models()).extracting(ServedModel::id, ServedModel::engine)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("qwen2.5-coder:0.5b", "ollama"));
        assertThat(core.resident()).extracting(ModelStatus::id).containsExactly("qwen2.5-coder:0.5b");
        assertThat(made).hasSize(1);
    }

    @Test
    void aModelIsReadyOnlyOnceRegisteredOnTheConnectedUpstreamAndNotAfterThePlacementChanges() {
        URI url = URI.create("https://api.example.com/v1");
        RuntimeCore core = core(Settings.Inference.Engine.OPENAI, Optional.of(url));
        assertThat(core.ready("gpt-x")).isFalse(); // not connected yet: the gateway must take a thread
        core.engineFor("gpt-x");
        assertThat(core.ready("gpt-x")).isTrue();
        assertThat(core.ready("gpt-y")).isFalse(); // connected, but this one is not registered
        core.use(new RuntimePlacement.Container(URI.create("http://127.0.0.1:11435")));
        assertThat(core.ready("gpt-x")).isFalse(); // another upstream: engineFor would connect first
        core.close();
    }

    @Test
    void openAiServesThroughTheConfiguredUrlAndSwitchingPlacementClosesTheOldUpstream() {
        URI url = URI.create("https://api.example.com/v1");
        RuntimeCore core = core(Settings.Inference.Engine.OPENAI, Optional.of(url));
        core.engineFor("gpt-x");
        assertThat(made).containsExactly("openai " + url);
        assertThat(core.resident()).isEmpty();
        core.use(new RuntimePlacement.Container(URI.create("http://127.0.0.1:11435")));
        core.engineFor("gpt-x");
        assertThat(made).containsExactly("openai " + url, "ollama http://127.0.0.1:11435");
        assertThat(engines.getFirst().closed).isTrue();
        core.close();
        assertThat(engines.get(1).closed).isTrue();
    }

    @Test
    void ollamaWithAUrlServesThroughThatServerAndReleasesAnIdleModelThere() {
        URI url = URI.create("http://127.0.0.1:11500");
        RuntimeCore core = core(Settings.Inference.Engine.OLLAMA, Optional.of(url));
        assertThat(core.placement()).isEqualTo(new RuntimePlacement.Remote(url, RuntimePlacement.Remote.Api.OLLAMA));
        core.release("qwen2.5-coder:0.5b"); // never asked of the upstream: nothing to free
        assertThat(made).isEmpty();
        core.engineFor("qwen2.5-coder:0.5b");
        assertThat(made).containsExactly("ollama " + url);
        assertThat(core.resident()).extracting(ModelStatus::id).containsExactly("qwen2.5-coder:0.5b");
        StubUpstream upstream = engines.getFirst();
        upstream.running = 1;
        core.release("qwen2.5-coder:0.5b"); // generating: left to its keep-alive
        assertThat(upstream.unloaded).isEmpty();
        upstream.running = 0;
        core.release("qwen2.5-coder:0.5b");
        assertThat(upstream.unloaded).containsExactly("qwen2.5-coder:0.5b");
        core.release("qwen2.5-coder:0.5b"); // forgotten here: asked once
        assertThat(upstream.unloaded).hasSize(1);
    }

    @Test
    void anOpenAiServerIsNeverAskedToFreeMemory() {
        URI url = URI.create("https://api.example.com/v1");
        RuntimeCore core = core(Settings.Inference.Engine.OPENAI, Optional.of(url));
        core.engineFor("qwen2.5-coder:0.5b");
        core.release("qwen2.5-coder:0.5b");
        assertThat(engines.getFirst().unloaded).isEmpty();
    }
}
