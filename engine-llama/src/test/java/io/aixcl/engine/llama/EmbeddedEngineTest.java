package io.aixcl.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.EngineState;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationEvent;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.GenerationStream;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.ModelStatus;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real inference with llama-2-tiny-random.gguf through one worker process shared by these tests. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedEngineTest {

    @TempDir
    static Path runtime;

    static EmbeddedEngine engine;
    static Path model;

    @BeforeAll
    static void startEngine() {
        model = TestModels.tinyLlama();
        // Every token its own event, so the tests below can pick tokens; holding them is EmbeddedEngineStreamIntervalTest's.
        engine = new EmbeddedEngine(EmbeddedEngineConfig.defaults(runtime.resolve("engine"))
                .withThreads(1)
                .withStreamInterval(Duration.ZERO)
                .withKeepAliveSweep(Duration.ofMillis(50)));
        engine.start();
        engine.load(ModelSpec.of("tiny", model).withContextTokens(512).withLimits(2, 4));
    }

    @AfterAll
    static void stopEngine() {
        if (engine != null) {
            engine.close();
        }
    }

    private static GenerationRequest request(String modelId, Prompt prompt, SamplingParams params) {
        return new GenerationRequest("test", modelId, prompt, params);
    }

    private static SamplingParams greedy(int maxTokens) {
        return SamplingParams.defaults().withTemperature(0).withMaxTokens(maxTokens).withSeed(7);
    }

    @Test
    void engineIsReadyWithTheModelResident() {
        assertThat(engine.state()).isInstanceOf(EngineState.Ready.class);
        assertThat(engine.models()).extracting(ModelStatus::id, ModelStatus::resident)
                .contains(org.assertj.core.groups.Tuple.tuple("tiny", true));
    }

    @Test
    void chatIsAnsweredThroughTheModelsChatTemplate() {
        Completion completion = engine.complete(request("tiny",
                Prompt.chat(ChatMessage.system("You are terse."), ChatMessage.user("Say hello.")), greedy(12)));

        assertThat(completion.text()).isNotEmpty();
        assertThat(completion.finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
        // The rendered template (ChatML fallback for this model) is far longer than the two messages.
        assertThat(completion.usage().promptTokens()).isGreaterThan(10);
        assertThat(completion.usage().completionTokens()).isBetween(1, 12);
    }

    @Test
    void completionStopsAtMaxTokensAndReportsTheTokenCounts() {
        Completion completion = engine.complete(request("tiny", Prompt.text("Once upon a time"), greedy(8)));

        assertThat(completion.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(completion.usage().completionTokens()).isEqualTo(8);
        assertThat(completion.usage().promptTokens()).isBetween(3, 8);
        assertThat(completion.usage().totalTokens()).isEqualTo(completion.usage().promptTokens() + 8);
    }

    @Test
    void tokensStreamIncrementallyBeforeTheGenerationEnds() throws InterruptedException {
        try (GenerationStream stream = engine.stream(request("tiny", Prompt.text("Tell me a story"), greedy(400)))) {
            GenerationEvent first = stream.next();

            assertThat(first).isInstanceOf(GenerationEvent.Token.class);
            assertThat(stream.generation().completion()).isNotDone();

            List<String> tokens = new ArrayList<>(List.of(((GenerationEvent.Token) first).text()));
            GenerationEvent event;
            while (!(event = stream.next()).terminal()) {
                tokens.add(((GenerationEvent.Token) event).text());
            }
            Completion completion = ((GenerationEvent.Completed) event).completion();
            assertThat(tokens).hasSizeGreaterThan(10);
            assertThat(String.join("", tokens)).isEqualTo(completion.text());
            assertThat(completion.usage().completionTokens()).isGreaterThanOrEqualTo(tokens.size());
        }
    }

    @Test
    void aStopSequenceEndsTheGenerationAndIsNotPartOfIt() {
        Completion free = engine.complete(request("tiny", Prompt.text("The weather today"), greedy(24)));
        List<String> tokens = tokensOf("The weather today", greedy(24));
        assertThat(tokens).hasSizeGreaterThan(6);
        String stop = tokens.get(5).strip();
        assertThat(stop).isNotEmpty();
        String expected = free.text().substring(0, free.text().indexOf(stop));

        Completion stopped = engine.complete(request("tiny", Prompt.text("The weather today"),
                greedy(24).withStop(List.of(stop))));

        assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(stopped.text()).isEqualTo(expected).doesNotContain(stop);
        assertThat(stopped.usage().completionTokens()).isLessThan(24);
    }

    @Test
    void cancellingMidStreamEndsTheGenerationPromptlyAndFreesItsSlot() throws Exception {
        engine.load(ModelSpec.of("tiny-single", model).withContextTokens(4096).withLimits(1, 0));
        var tokens = new CopyOnWriteArrayList<String>();
        Generation running = engine.generate(request("tiny-single", Prompt.text("Count forever"), greedy(4000)),
                event -> {
                    if (event instanceof GenerationEvent.Token t) {
                        tokens.add(t.text());
                    }
                });
        waitUntil(() -> tokens.size() >= 3, Duration.ofSeconds(20));
        assertThatThrownBy(() -> engine.generate(request("tiny-single", Prompt.text("x"), greedy(1)), e -> { }))
                .isInstanceOf(InferenceException.Busy.class);

        long cancelledAt = System.nanoTime();
        running.cancel();
        Completion cancelled = running.completion().get(5, TimeUnit.SECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt)).isLessThan(Duration.ofSeconds(2));
        assertThat(cancelled.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(cancelled.usage().completionTokens()).isBetween(3, 3999);
        assertThat(engine.complete(request("tiny-single", Prompt.text("again"), greedy(4))).usage().completionTokens())
                .isEqualTo(4);
    }

    @Test
    void theConcurrencyLimitQueuesThenRefusesTheRequestBeyondTheQueue() throws Exception {
        engine.load(ModelSpec.of("tiny-limited", model).withContextTokens(4096).withLimits(2, 2));
        List<Generation> admitted = new ArrayList<>();
        var started = new CopyOnWriteArrayList<GenerationRequest>();
        for (int i = 0; i < 4; i++) {
            var r = new GenerationRequest("r" + i, "tiny-limited", Prompt.text("Count " + i), greedy(4000));
            admitted.add(engine.generate(r, event -> {
                if (event instanceof GenerationEvent.Token && !started.contains(r)) {
                    started.add(r);
                }
            }));
        }
        waitUntil(() -> started.size() == 2, Duration.ofSeconds(20));

        assertThatThrownBy(() -> engine.generate(request("tiny-limited", Prompt.text("fifth"), greedy(1)), e -> { }))
                .isInstanceOf(InferenceException.Busy.class)
                .hasMessageContaining("2 generation(s) running and 2 queued");
        ModelStatus status = engine.models().stream().filter(m -> m.id().equals("tiny-limited")).findFirst()
                .orElseThrow();
        assertThat(status.running()).isEqualTo(2);
        assertThat(status.queued()).isEqualTo(2);
        assertThat(started).extracting(GenerationRequest::requestId).containsExactlyInAnyOrder("r0", "r1");

        // Cancelling a running one lets the first queued one start.
        admitted.get(0).cancel();
        waitUntil(() -> started.size() == 3, Duration.ofSeconds(20));
        assertThat(started.get(2).requestId()).isEqualTo("r2");

        admitted.forEach(Generation::cancel);
        for (Generation g : admitted) {
            assertThat(g.completion().get(5, TimeUnit.SECONDS).finishReason()).isEqualTo(FinishReason.CANCELLED);
        }
        waitUntil(() -> engine.models().stream().filter(m -> m.id().equals("tiny-limited"))
                .allMatch(m -> m.running() == 0 && m.queued() == 0), Duration.ofSeconds(5));
    }

    @Test
    void anIdleModelLeavesMemoryAfterItsKeepAliveAndComesBackOnDemand() throws Exception {
        engine.load(ModelSpec.of("tiny-brief", model).withContextTokens(256).withKeepAlive(Duration.ofMillis(300)));
        assertThat(status("tiny-brief").resident()).isTrue();
        assertThat(status("tiny-brief").evictAt()).isPresent();

        waitUntil(() -> !status("tiny-brief").resident(), Duration.ofSeconds(10));

        Completion completion = engine.complete(request("tiny-brief", Prompt.text("Back again"), greedy(3)));
        assertThat(completion.usage().completionTokens()).isEqualTo(3);
    }

    @Test
    void aRequestsOwnKeepAliveHoldsUntilTheNextRequestWhichWithoutOneRestoresTheModels() throws Exception {
        engine.load(ModelSpec.of("tiny-held", model).withContextTokens(256).withKeepAlive(Duration.ofMillis(300)));

        // Ollama's keep_alive: -1 (forever) on one request: the model outlives its own 300 ms keep-alive.
        engine.complete(new GenerationRequest("held", "tiny-held", Prompt.text("Stay"), greedy(2),
                java.util.Optional.of(ModelSpec.KEEP_FOREVER)));
        assertThat(status("tiny-held").evictAt()).as("a model kept for good has no eviction time").isEmpty();
        Thread.sleep(1000); // more than three times its keep-alive, twenty sweeps
        assertThat(status("tiny-held").resident()).isTrue();

        // The next request without one: the model's own keep-alive is back, and it leaves memory.
        engine.complete(request("tiny-held", Prompt.text("Go"), greedy(2)));
        waitUntil(() -> !status("tiny-held").resident(), Duration.ofSeconds(10));

        // keep_alive 0 with a prompt: the model leaves memory as soon as the answer is done.
        engine.load(ModelSpec.of("tiny-held", model).withContextTokens(256).withKeepAlive(Duration.ofHours(1)));
        engine.complete(new GenerationRequest("gone", "tiny-held", Prompt.text("Bye"), greedy(2),
                java.util.Optional.of(Duration.ZERO)));
        waitUntil(() -> !status("tiny-held").resident(), Duration.ofSeconds(10));
    }

    @Test
    void aTruncatedModelFailsToLoadWithAClearErrorAndIsNotRegistered(@TempDir Path dir) throws IOException {
        Path truncated = dir.resolve("truncated.gguf");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> engine.load(ModelSpec.of("broken", truncated)))
                .isInstanceOf(InferenceException.LoadFailed.class)
                .hasMessageContaining("'broken'")
                .hasMessageContaining("truncated or corrupt");
        assertThat(engine.models()).extracting(ModelStatus::id).doesNotContain("broken");
        assertThat(engine.complete(request("tiny", Prompt.text("still fine"), greedy(2))).usage().completionTokens())
                .isEqualTo(2);
    }

    @Test
    void aFileThatIsNotGgufIsRefusedBeforeTheWorkerSeesIt(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("notes.gguf"), "definitely not a model");

        assertThatThrownBy(() -> engine.load(ModelSpec.of("notes", text)))
                .isInstanceOf(InferenceException.LoadFailed.class)
                .hasMessageContaining("not a GGUF file");
        assertThatThrownBy(() -> engine.load(ModelSpec.of("missing", dir.resolve("missing.gguf"))))
                .hasMessageContaining("does not exist");
    }

    @Test
    void anUnknownModelIsReportedAsNotFound() {
        assertThatThrownBy(() -> engine.generate(request("nope", Prompt.text("x"), greedy(1)), e -> { }))
                .isInstanceOf(InferenceException.ModelNotFound.class)
                .hasMessage("model 'nope' is not loaded");
    }

    @Test
    void aModelPathRelativeToTheCallersFolderLoads() {
        Path relative = Path.of("").toAbsolutePath().relativize(model);
        assertThat(relative.isAbsolute()).isFalse();

        engine.load(ModelSpec.of("tiny-relative", relative).withContextTokens(256));

        assertThat(engine.complete(request("tiny-relative", Prompt.text("x"), greedy(1))).usage().completionTokens())
                .isEqualTo(1);
        engine.unload("tiny-relative");
    }

    @Test
    void unloadingForgetsTheModel() {
        engine.load(ModelSpec.of("tiny-gone", model).withContextTokens(256));

        engine.unload("tiny-gone");

        assertThat(engine.models()).extracting(ModelStatus::id).doesNotContain("tiny-gone");
        assertThatThrownBy(() -> engine.complete(request("tiny-gone", Prompt.text("x"), greedy(1))))
                .isInstanceOf(InferenceException.ModelNotFound.class);
    }

    private static List<String> tokensOf(String prompt, SamplingParams params) {
        var tokens = new CopyOnWriteArrayList<String>();
        engine.generate(request("tiny", Prompt.text(prompt), params), event -> {
            if (event instanceof GenerationEvent.Token t) {
                tokens.add(t.text());
            }
        }).await();
        return tokens;
    }

    private static ModelStatus status(String id) {
        return engine.models().stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow();
    }

    static void waitUntil(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(10);
        }
    }
}
