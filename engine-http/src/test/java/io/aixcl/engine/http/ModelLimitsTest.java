package io.aixcl.engine.http;

import static io.aixcl.engine.http.Transcripts.CHAT_ROLE;
import static io.aixcl.engine.http.Transcripts.DONE;
import static io.aixcl.engine.http.Transcripts.chatChunk;
import static io.aixcl.engine.http.Transcripts.chatFinish;
import static io.aixcl.engine.http.Transcripts.sse;
import static io.aixcl.engine.http.Transcripts.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import io.aixcl.core.inference.TokenUsage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-model limit: maxConcurrent exchanges with the upstream, maxQueued waiting, Busy at once beyond. */
class ModelLimitsTest {

    private final CountDownLatch release = new CountDownLatch(1);
    private FakeUpstream upstream;
    private OpenAiCompatibleEngine engine;

    @BeforeEach
    void start() throws Exception {
        // Every generation holds its exchange open until the test releases it.
        upstream = new FakeUpstream()
                .onJson("GET", "/v1/models", 200, Transcripts.MODELS)
                .on("POST", "/v1/chat/completions", (request, answer) -> {
                    answer.startChunked(200, "text/event-stream");
                    answer.chunk(sse(CHAT_ROLE, chatChunk("ok")));
                    release.await(10, TimeUnit.SECONDS);
                    answer.chunk(sse(chatFinish("stop"), usage(5, 1), DONE));
                    answer.endChunked();
                });
        engine = new OpenAiCompatibleEngine(UpstreamConfig.of(upstream.baseUrl()));
        engine.start();
        engine.load(ModelSpec.of("tiny", Path.of("unused")).withLimits(1, 1));
    }

    @AfterEach
    void stop() {
        release.countDown();
        engine.close();
        upstream.close();
    }

    private static GenerationRequest chat(String id) {
        return new GenerationRequest(id, "tiny", Prompt.chat(ChatMessage.user("Hi")), SamplingParams.defaults());
    }

    @Test
    void oneRunsOneWaitsAndTheNextIsRefusedBeforeAnythingIsSent() throws Exception {
        var running = engine.generate(chat("a"), new Events());
        upstream.nextArrival("/v1/chat/completions", Duration.ofSeconds(5));
        var queued = engine.generate(chat("b"), new Events());

        assertThatThrownBy(() -> engine.generate(chat("c"), new Events()))
                .isInstanceOf(InferenceException.Busy.class)
                .hasMessageContaining("'tiny' is busy: 1 generation(s) running and 1 queued");
        assertThat(engine.models().getFirst()).satisfies(s -> {
            assertThat(s.running()).isEqualTo(1);
            assertThat(s.queued()).isEqualTo(1);
        });
        assertThat(upstream.requests("/v1/chat/completions")).hasSize(1);

        release.countDown();
        assertThat(running.await()).isEqualTo(new Completion("ok", FinishReason.STOP, new TokenUsage(5, 1)));
        assertThat(queued.await().text()).isEqualTo("ok");
        assertThat(upstream.requests("/v1/chat/completions")).hasSize(2);
        assertThat(engine.models().getFirst().running()).isZero();
    }

    @Test
    void aCancelledQueuedGenerationLeavesTheQueueWithoutReachingTheUpstream() throws Exception {
        var running = engine.generate(chat("a"), new Events());
        upstream.nextArrival("/v1/chat/completions", Duration.ofSeconds(5));
        var queued = engine.generate(chat("b"), new Events());

        queued.cancel();

        assertThat(queued.await()).isEqualTo(new Completion("", FinishReason.CANCELLED, new TokenUsage(5, 0)));
        assertThat(engine.models().getFirst().queued()).isZero();
        var next = engine.generate(chat("c"), new Events()); // the freed place takes a new one
        release.countDown();
        assertThat(running.await().text()).isEqualTo("ok");
        assertThat(next.await().text()).isEqualTo("ok");
        assertThat(upstream.requests("/v1/chat/completions")).extracting(FakeUpstream.Recorded::body)
                .hasSize(2);
    }

    @Test
    void unloadingCancelsTheRunningAndFailsTheQueued() throws Exception {
        var running = engine.generate(chat("a"), new Events());
        upstream.nextArrival("/v1/chat/completions", Duration.ofSeconds(5));
        var queued = engine.generate(chat("b"), new Events());

        engine.unload("tiny");

        assertThat(running.await().finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThatThrownBy(queued::await).isInstanceOf(InferenceException.ModelNotFound.class);
        assertThatThrownBy(() -> engine.generate(chat("c"), new Events()))
                .isInstanceOf(InferenceException.ModelNotFound.class);
        assertThat(engine.models()).isEmpty();
    }

    @Test
    void closingTheEngineFailsWhatRunsAndRefusesMore() throws Exception {
        var running = engine.generate(chat("a"), new Events());
        upstream.nextArrival("/v1/chat/completions", Duration.ofSeconds(5));

        engine.close();

        assertThatThrownBy(running::await).isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageContaining("stopped");
        assertThatThrownBy(() -> engine.generate(chat("b"), new Events()))
                .isInstanceOf(InferenceException.EngineUnavailable.class);
    }
}
