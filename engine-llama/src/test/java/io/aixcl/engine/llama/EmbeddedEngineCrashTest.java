package io.aixcl.engine.llama;

import static io.aixcl.engine.llama.EmbeddedEngineTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.EngineState;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationEvent;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The worker dies under the engine; the engine (and this JVM) must not. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedEngineCrashTest {

    @TempDir
    Path runtime;

    private EmbeddedEngine engine() {
        return new EmbeddedEngine(EmbeddedEngineConfig.defaults(runtime.resolve("engine"))
                .withThreads(1)
                .withBackoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofMinutes(1))));
    }

    private static GenerationRequest longRequest() {
        return new GenerationRequest("long", "tiny", Prompt.text("Count forever"),
                SamplingParams.defaults().withTemperature(0).withMaxTokens(4000));
    }

    @Test
    void aWorkerKilledMidRequestFailsTheRequestFastAndTheEngineRestartsAndServesAgain() throws Exception {
        try (EmbeddedEngine engine = engine()) {
            engine.start();
            engine.load(ModelSpec.of("tiny", TestModels.tinyLlama()).withContextTokens(4096));
            long firstPid = engine.workerPid().orElseThrow();
            var tokens = new AtomicInteger();
            Generation inFlight = engine.generate(longRequest(), event -> {
                if (event instanceof GenerationEvent.Token) {
                    tokens.incrementAndGet();
                }
            });
            waitUntil(() -> tokens.get() >= 3, Duration.ofSeconds(20));

            long killedAt = System.nanoTime();
            ProcessHandle.of(firstPid).orElseThrow().destroyForcibly();

            assertThatThrownBy(() -> inFlight.completion().get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(InferenceException.EngineUnavailable.class)
                    .hasMessageContaining("pid " + firstPid)
                    .hasMessageContaining("killed by SIGKILL")
                    .hasMessageContaining("restarting");
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(3));

            waitUntil(() -> engine.state() instanceof EngineState.Ready, Duration.ofSeconds(30));
            assertThat(engine.state().restarts()).isEqualTo(1);
            assertThat(engine.workerPid().orElseThrow()).isNotEqualTo(firstPid);
            // The model comes back on demand in the new worker; the slot of the lost request was freed.
            Completion after = engine.complete(new GenerationRequest("after", "tiny", Prompt.text("Hello again"),
                    // Greedy: a sampled token may be end-of-text and stop the answer short of 5.
                    SamplingParams.defaults().withTemperature(0).withMaxTokens(5)));
            assertThat(after.usage().completionTokens()).isEqualTo(5);
            assertThat(engine.models().getFirst().resident()).isTrue();
        }
    }

    @Test
    void aRequestArrivingWhileTheWorkerIsDownWaitsForTheRestart() throws Exception {
        try (EmbeddedEngine engine = engine()) {
            engine.start();
            engine.load(ModelSpec.of("tiny", TestModels.tinyLlama()).withContextTokens(256));
            long pid = engine.workerPid().orElseThrow();
            ProcessHandle worker = ProcessHandle.of(pid).orElseThrow();
            worker.destroyForcibly();
            worker.onExit().get(5, TimeUnit.SECONDS);
            waitUntil(() -> !(engine.state() instanceof EngineState.Ready), Duration.ofSeconds(5));
            assertThat(engine.state().summary()).contains("killed by SIGKILL");

            Completion completion = engine.complete(new GenerationRequest("during", "tiny", Prompt.text("Hi"),
                    SamplingParams.defaults().withMaxTokens(2)));

            assertThat(completion.usage().completionTokens()).isEqualTo(2);
            assertThat(engine.state()).isInstanceOf(EngineState.Ready.class);
        }
    }

    @Test
    void closingTheEngineStopsTheWorkerAndRefusesNewWork() throws Exception {
        EmbeddedEngine engine = engine();
        engine.start();
        ProcessHandle worker = ProcessHandle.of(engine.workerPid().orElseThrow()).orElseThrow();

        engine.close();

        worker.onExit().get(10, TimeUnit.SECONDS);
        assertThat(engine.state()).isInstanceOf(EngineState.Stopped.class);
        assertThatThrownBy(() -> engine.generate(longRequest(), e -> { }))
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageContaining("stopped");
    }
}
