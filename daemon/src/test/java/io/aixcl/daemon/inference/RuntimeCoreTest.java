package io.aixcl.daemon.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.EngineState;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceEngine;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelStatus;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import io.aixcl.core.inference.ServedModel;
import io.aixcl.core.models.ModelName;
import io.aixcl.core.models.PullRequest;
import io.aixcl.engine.llama.EmbeddedEngine;
import io.aixcl.engine.llama.EmbeddedEngineConfig;
import io.aixcl.models.LocalModelStore;
import io.aixcl.models.ModelStoreSettings;
import io.aixcl.stackfile.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The runtime core on the real embedded engine, serving a real model store that holds the shared tiny model. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RuntimeCoreTest {
    private static final String TINY_SHA256 = "81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb";

    @TempDir
    static Path dir;

    static LocalModelStore store;
    static RuntimeCore core;
    static final AtomicInteger engineStarts = new AtomicInteger();

    @BeforeAll
    static void storeWithTheTinyModel() {
        store = new LocalModelStore(ModelStoreSettings.defaults(dir.resolve("models"), Map.of()));
        Path tiny = tinyModel();
        store.pull(PullRequest.of(tiny.toString()), null); // stored as local/files/llama-2-tiny-random:latest
        store.pull(PullRequest.of(tiny.toString()).named(ModelName.parse("tiny:1")), null);
        Settings.Inference settings = new Settings.Inference(Settings.Inference.Engine.AUTO, Optional.empty(),
                Optional.empty(), 256, 1, 2, Duration.ofMinutes(5));
        core = new RuntimeCore(settings, () -> store, () -> {
            engineStarts.incrementAndGet();
            return new EmbeddedEngine(EmbeddedEngineConfig.defaults(dir.resolve("engine")).withThreads(1));
        }, new RuntimeCore.UpstreamEngines(RuntimeCoreTest::noUpstream, RuntimeCoreTest::noUpstream),
                () -> Optional.of("the configured engine socket does not answer"));
    }

    @AfterAll
    static void close() {
        if (core != null) {
            core.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void withoutAContainerEngineAutoServesTheModelStoreWithTheGgufFacts() {
        assertThat(core.placement()).isEqualTo(new RuntimePlacement.Embedded(
                "no container engine: the configured engine socket does not answer"));
        assertThat(core.models()).extracting(ServedModel::id)
                .containsExactly("local/files/llama-2-tiny-random:latest", "tiny:1");
        ServedModel tiny = core.models().get(1);
        assertThat(tiny.engine()).isEqualTo("embedded");
        assertThat(tiny.family()).isEqualTo("llama");
        assertThat(tiny.contextLength()).isEqualTo(OptionalLong.of(4096));
        assertThat(tiny.sizeBytes()).isGreaterThanOrEqualTo(1_750_560); // the GGUF file plus its manifest's config blob
        assertThat(tiny.digest()).isEqualTo(TINY_SHA256);
        assertThat(tiny.parameterCount()).isPositive();
        assertThat(tiny.quantization()).isNotEmpty();
        assertThat(tiny.modified()).isAfter(java.time.Instant.now().minus(Duration.ofHours(1)));
    }

    @Test
    void aNameNoModelHasIsRefusedWithTheNamesThatWork() {
        assertThatThrownBy(() -> core.engineFor("tiny"))
                .isInstanceOf(InferenceException.ModelNotFound.class)
                .hasMessage("model 'tiny' not found; available: local/files/llama-2-tiny-random:latest, tiny:1");
        assertThatThrownBy(() -> core.engineFor("../../etc/passwd"))
                .isInstanceOf(InferenceException.ModelNotFound.class).hasMessageContaining("available: ");
    }

    @Test
    void theModelLoadsOnDemandUnderTheClientsNameAndGenerates() {
        InferenceEngine engine = core.engineFor("tiny:1");
        assertThat(core.embeddedState()).isInstanceOf(EngineState.Ready.class);
        ModelStatus status = core.resident().stream().filter(m -> m.id().equals("tiny:1")).findFirst().orElseThrow();
        assertThat(status.spec().path()).isEqualTo(store.modelFile(ModelName.parse("tiny:1")));
        assertThat(status.spec().contextTokens()).isEqualTo(256);
        assertThat(status.spec().maxQueued()).isEqualTo(2);
        Completion c = engine.complete(new GenerationRequest("t", "tiny:1", new Prompt.Text("Hello"),
                SamplingParams.defaults().withTemperature(0).withMaxTokens(4).withSeed(7)));
        assertThat(c.usage().completionTokens()).isPositive();
    }

    @Test
    void aModelRemovedFromTheStoreIsNoLongerServedEvenOnceLoaded() {
        store.pull(PullRequest.of(tinyModel().toString()).named(ModelName.parse("gone:1")), null);
        assertThat(core.engineFor("gone:1")).isNotNull(); // registered and loaded under that name
        assertThat(core.engineFor("gone:1")).isNotNull(); // and asked for again, as every request does

        store.remove(ModelName.parse("gone:1"));

        assertThatThrownBy(() -> core.engineFor("gone:1")).isInstanceOf(InferenceException.ModelNotFound.class)
                .hasMessageStartingWith("model 'gone:1' not found");
    }

    @Test
    void aBareNameAndTheDefaultTagFindTheOneModelOfThatName() {
        assertThat(RuntimeCore.resolve("llama-2-tiny-random", store.list()))
                .isEqualTo(ModelName.parse("local/files/llama-2-tiny-random:latest"));
        assertThat(RuntimeCore.resolve("local/files/llama-2-tiny-random", store.list()))
                .isEqualTo(ModelName.parse("local/files/llama-2-tiny-random:latest"));
        assertThat(RuntimeCore.resolve("tiny:1", store.list())).isEqualTo(ModelName.parse("tiny:1"));
        assertThatThrownBy(() -> RuntimeCore.resolve("llama-2-tiny-random:2", store.list()))
                .isInstanceOf(InferenceException.ModelNotFound.class);
    }

    @Test
    void stoppingFreesTheModelsAndTheNextRequestStartsAFreshEngine() {
        core.engineFor("llama-2-tiny-random");
        assertThat(core.resident()).extracting(ModelStatus::id).contains("llama-2-tiny-random");
        int starts = engineStarts.get();
        core.stopEmbedded();
        assertThat(core.embeddedState()).isInstanceOf(EngineState.Stopped.class);
        assertThat(core.embeddedState().summary()).isEqualTo("stopped");
        assertThat(core.resident()).isEmpty();
        core.engineFor("tiny:1");
        assertThat(engineStarts).hasValue(starts + 1);
        assertThat(core.resident()).extracting(ModelStatus::id).containsExactly("tiny:1");
    }

    private static InferenceEngine noUpstream(java.net.URI url) {
        throw new AssertionError("no upstream engine without a container engine: " + url);
    }

    static Path tinyModel() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("run-tests"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the project root (the folder with run-tests)");
        }
        Path file = p.resolveSibling("shared").resolve("models").resolve("llama-2-tiny-random.gguf");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("test model " + file + " is missing: the tests read ../shared/models/ "
                    + "beside the project root");
        }
        return file;
    }

    @Test
    void releasingFreesAnIdleModelAndLoadsNothing() {
        core.engineFor("tiny:1");
        assertThat(core.resident()).extracting(ModelStatus::id).contains("tiny:1");
        core.release("tiny:1");
        assertThat(core.resident()).extracting(ModelStatus::id).doesNotContain("tiny:1");
        core.release("local/files/llama-2-tiny-random:latest"); // not in memory: nothing happens, nothing loads
        assertThat(core.resident()).extracting(ModelStatus::id)
                .doesNotContain("local/files/llama-2-tiny-random:latest");
        core.engineFor("tiny:1"); // and the next request loads it again
        assertThat(core.resident()).extracting(ModelStatus::id).contains("tiny:1");
    }
}
