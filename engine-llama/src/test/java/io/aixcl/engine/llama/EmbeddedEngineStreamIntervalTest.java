package io.aixcl.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.GenerationEvent;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.GenerationStream;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A model faster than the stream interval: its tokens arrive a few to an event, all of them, counted exactly. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedEngineStreamIntervalTest {

    @TempDir
    static Path runtime;

    static EmbeddedEngine engine;

    @BeforeAll
    static void startEngine() {
        // Far longer than a token of the tiny model takes, however loaded the machine: the holding is certain.
        engine = new EmbeddedEngine(EmbeddedEngineConfig.defaults(runtime.resolve("engine"))
                .withThreads(1)
                .withStreamInterval(Duration.ofMillis(100)));
        engine.start();
        engine.load(ModelSpec.of("tiny", TestModels.tinyLlama()).withContextTokens(512));
    }

    @AfterAll
    static void stopEngine() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void tokensFasterThanTheIntervalArriveTogetherWithNothingLostAndExactCounts() throws InterruptedException {
        var request = new GenerationRequest("held", "tiny", Prompt.text("Tell me a story"),
                SamplingParams.defaults().withTemperature(0).withMaxTokens(96).withSeed(7));
        List<String> events = new ArrayList<>();
        Completion completion;
        try (GenerationStream stream = engine.stream(request)) {
            GenerationEvent event = stream.next();
            assertThat(stream.generation().completion()).as("the first token is not held").isNotDone();
            while (event instanceof GenerationEvent.Token token) {
                events.add(token.text());
                event = stream.next();
            }
            completion = ((GenerationEvent.Completed) event).completion();
        }

        assertThat(completion.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(completion.usage().completionTokens()).isEqualTo(96);
        assertThat(String.join("", events)).isEqualTo(completion.text());
        assertThat(events).as("96 tokens in a few events").hasSizeLessThan(48);
        assertThat(completion.text()).isEqualTo(engine.complete(request).text());
    }
}
