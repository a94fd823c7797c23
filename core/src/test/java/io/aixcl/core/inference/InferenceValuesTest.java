package io.aixcl.core.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InferenceValuesTest {

    @Test
    void samplingParamsOutOfBoundsAreInvalidRequests() {
        assertThatThrownBy(() -> SamplingParams.defaults().withTemperature(-0.1))
                .isInstanceOf(InferenceException.InvalidRequest.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> SamplingParams.defaults().withTopP(0))
                .isInstanceOf(InferenceException.InvalidRequest.class).hasMessageContaining("top_p");
        assertThatThrownBy(() -> SamplingParams.defaults().withMaxTokens(0))
                .isInstanceOf(InferenceException.InvalidRequest.class).hasMessageContaining("max_tokens");
        assertThatThrownBy(() -> SamplingParams.defaults().withStop(List.of("")))
                .isInstanceOf(InferenceException.InvalidRequest.class).hasMessageContaining("stop");
    }

    @Test
    void modelSpecRefusesImpossibleLimits() {
        ModelSpec spec = ModelSpec.of("tiny", Path.of("/m/tiny.gguf"));
        assertThat(spec.keepAlive()).isEqualTo(Duration.ofMinutes(5));
        assertThatThrownBy(() -> spec.withLimits(0, 1)).hasMessageContaining("concurrency limit");
        assertThatThrownBy(() -> spec.withKeepAlive(Duration.ofSeconds(-1))).hasMessageContaining("keep-alive");
        assertThatThrownBy(() -> ModelSpec.of("bad\nid", Path.of("/m"))).hasMessageContaining("invalid model id");
    }

    @Test
    void engineStateSummaryNamesTheRestartsAndTheLastError() {
        assertThat(new EngineState.Ready(0, Instant.EPOCH).summary()).isEqualTo("ready");
        assertThat(new EngineState.Ready(2, Instant.EPOCH).summary()).isEqualTo("ready (restarted 2 times)");
        assertThat(new EngineState.Crashed(1, "worker killed by SIGKILL", Instant.EPOCH).summary())
                .isEqualTo("crashed (restarted 1 time): worker killed by SIGKILL");
    }

    @Test
    void aStreamHandsOverEventsInOrderAndClosingItCancelsAnUnfinishedGeneration() throws Exception {
        var stream = new GenerationStream();
        var cancelled = new boolean[1];
        stream.attach(new Generation() {
            @Override
            public GenerationRequest request() {
                return null;
            }

            @Override
            public void cancel() {
                cancelled[0] = true;
            }

            @Override
            public java.util.concurrent.CompletableFuture<Completion> completion() {
                return new java.util.concurrent.CompletableFuture<>();
            }
        });
        stream.on(new GenerationEvent.Token("a"));
        stream.on(new GenerationEvent.Token("b"));

        assertThat(stream.next()).isEqualTo(new GenerationEvent.Token("a"));
        stream.close();

        assertThat(cancelled[0]).isTrue();
    }
}
