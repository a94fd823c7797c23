package io.aixcl.engine.http;

import static io.aixcl.engine.http.Transcripts.ollamaChat;
import static io.aixcl.engine.http.Transcripts.ollamaChatDone;
import static io.aixcl.engine.http.Transcripts.ollamaGenerate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.ModelStatus;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import io.aixcl.core.inference.TokenUsage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Ollama adapter against a scripted Ollama. Shapes from Ollama's docs/api.md: "List Local Models"
 * ({@code /api/tags}), "List Running Models" ({@code /api/ps}), "Load a model" / "Unload a model" (a generate
 * request with no prompt; the answer is one JSON object with {@code done_reason} "load" / "unload"), and the
 * streamed chat and generate answers.
 */
class OllamaEngineTest {

    private static final String NDJSON = "application/x-ndjson";
    private static final String TAGS = "{\"models\":[{\"name\":\"llama3.2:latest\",\"model\":\"llama3.2:latest\","
            + "\"modified_at\":\"2025-05-10T08:06:48.639712648-07:00\",\"size\":2019393189,\"digest\":"
            + "\"a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72\",\"details\":{\"parent_model\":\"\","
            + "\"format\":\"gguf\",\"family\":\"llama\",\"families\":[\"llama\"],\"parameter_size\":\"3.2B\","
            + "\"quantization_level\":\"Q4_K_M\"}}]}";

    private FakeUpstream ollama;
    private OllamaEngine engine;

    @BeforeEach
    void start() throws Exception {
        ollama = new FakeUpstream()
                .onJson("GET", "/api/version", 200, "{\"version\":\"0.6.2\"}")
                .onJson("GET", "/api/tags", 200, TAGS)
                .onJson("GET", "/api/ps", 200, "{\"models\":[]}")
                .on("POST", "/api/generate", (request, answer) -> {
                    if (request.body().contains("\"model\":\"nope\"")) {
                        answer.whole(404, "application/json; charset=utf-8", "{\"error\":\"model 'nope' not found\"}");
                    } else if (request.body().contains("\"prompt\"")) {
                        answer.startChunked(200, NDJSON);
                        answer.chunk(ollamaGenerate("1, 2") + ollamaGenerate(", 3"));
                        answer.chunk("{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T19:22:45.499127Z\","
                                + "\"response\":\"\",\"done\":true,\"done_reason\":\"length\",\"context\":[1,2,3],"
                                + "\"total_duration\":10706818083,\"prompt_eval_count\":4,\"eval_count\":2}\n");
                        answer.endChunked();
                    } else {
                        String reason = request.body().contains("\"keep_alive\":0") ? "unload" : "load";
                        answer.whole(200, "application/json; charset=utf-8", "{\"model\":\"llama3.2\",\"created_at\":"
                                + "\"2024-09-12T03:54:03.516566Z\",\"response\":\"\",\"done\":true,\"done_reason\":\""
                                + reason + "\"}");
                    }
                });
        engine = new OllamaEngine(UpstreamConfig.of(ollama.baseUrl())
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2)));
        engine.start();
    }

    @AfterEach
    void stop() {
        engine.close();
        ollama.close();
    }

    private static ModelSpec llama() {
        return ModelSpec.of("llama3.2", Path.of("unused")).withKeepAlive(Duration.ofMinutes(10)).withContextTokens(4096);
    }

    @Test
    void loadPreloadsWithKeepAliveAndContextSizeThenGeneratesAChatOverNdjson() throws Exception {
        engine.load(llama());
        ollama.on("POST", "/api/chat", (request, answer) -> {
            answer.startChunked(200, NDJSON);
            answer.chunk(ollamaChat("The") + ollamaChat(" sky"));
            answer.chunk(ollamaChat(" is blue."));
            answer.chunk(ollamaChatDone("stop", 26, 3));
            answer.endChunked();
        });
        var events = new Events();
        var request = new GenerationRequest("r1", "llama3.2", Prompt.chat(ChatMessage.user("Why is the sky blue?")),
                SamplingParams.defaults().withMaxTokens(64).withStop(List.of("\n\n")).withSeed(7));

        Completion done = engine.generate(request, events).await();

        assertThat(done).isEqualTo(new Completion("The sky is blue.", FinishReason.STOP, new TokenUsage(26, 3)));
        assertThat(events.tokens()).containsExactly("The", " sky", " is blue.");
        assertThat(ollama.requests("/api/generate").getFirst().body()).isEqualTo(
                "{\"model\":\"llama3.2\",\"stream\":false,\"keep_alive\":600,\"options\":{\"num_ctx\":4096}}");
        assertThat(ollama.requests("/api/chat").getFirst().body()).isEqualTo("{\"model\":\"llama3.2\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"Why is the sky blue?\"}],\"stream\":true,\"keep_alive\":600,"
                + "\"options\":{\"temperature\":0.8,\"top_p\":0.95,\"num_predict\":64,\"num_ctx\":4096,"
                + "\"stop\":[\"\\n\\n\"],\"seed\":7}}");
    }

    @Test
    void aTextPromptIsARawGenerateAndDoneReasonLengthIsLength() {
        engine.load(llama().withKeepAlive(ModelSpec.KEEP_FOREVER));
        var request = new GenerationRequest("r2", "llama3.2", Prompt.text("Count: "), SamplingParams.defaults());

        Completion done = engine.complete(request);

        assertThat(done).isEqualTo(new Completion("1, 2, 3", FinishReason.LENGTH, new TokenUsage(4, 2)));
        var sent = ollama.requests("/api/generate").getLast().body();
        assertThat(sent).startsWith("{\"model\":\"llama3.2\",\"prompt\":\"Count: \",\"raw\":true,\"stream\":true,"
                + "\"keep_alive\":-1,");
    }

    @Test
    void aRequestsOwnKeepAliveGoesToOllamaInsteadOfTheModels() {
        engine.load(llama());
        for (var keep : List.of(java.util.Map.entry(Duration.ofSeconds(30), "30"),
                java.util.Map.entry(Duration.ofMillis(1500), "1.5"), java.util.Map.entry(Duration.ZERO, "0"),
                java.util.Map.entry(ModelSpec.KEEP_FOREVER, "-1"))) {
            engine.complete(new GenerationRequest("r", "llama3.2", Prompt.text("Count: "), SamplingParams.defaults(),
                    java.util.Optional.of(keep.getKey())));
            assertThat(ollama.requests("/api/generate").getLast().body()).as(keep.getKey().toString())
                    .contains(",\"keep_alive\":" + keep.getValue() + ",");
        }
        engine.complete(new GenerationRequest("r", "llama3.2", Prompt.text("Count: "), SamplingParams.defaults()));
        assertThat(ollama.requests("/api/generate").getLast().body()).contains(",\"keep_alive\":600,");
    }

    @Test
    void aCachedPromptWithoutPromptEvalCountIsEstimated() {
        engine.load(llama());
        ollama.on("POST", "/api/chat", (request, answer) -> {
            answer.startChunked(200, NDJSON);
            answer.chunk(ollamaChat("Hi") + ollamaChatDone("stop", null, 1));
            answer.endChunked();
        });

        Completion done = engine.complete(new GenerationRequest("r3", "llama3.2",
                Prompt.chat(ChatMessage.user("12345678")), SamplingParams.defaults()));

        assertThat(done.usage()).isEqualTo(new TokenUsage(4 + 2, 1));
    }

    @Test
    void anErrorLineMidStreamFailsWithOllamasWords() {
        engine.load(llama());
        ollama.on("POST", "/api/chat", (request, answer) -> {
            answer.startChunked(200, NDJSON);
            answer.chunk(ollamaChat("The") + "{\"error\":\"an error was encountered while running the model\"}\n");
            answer.endChunked();
        });

        assertThatThrownBy(() -> engine.complete(new GenerationRequest("r4", "llama3.2",
                Prompt.chat(ChatMessage.user("Hi")), SamplingParams.defaults())))
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessage("Ollama reported an error: an error was encountered while running the model");
    }

    @Test
    void aModelOllamaLacksIsNotFoundAtLoadAndAtGenerate() {
        assertThatThrownBy(() -> engine.load(ModelSpec.of("nope", Path.of("unused"))))
                .isInstanceOf(InferenceException.ModelNotFound.class);

        engine.load(llama());
        ollama.on("POST", "/api/chat", (request, answer) ->
                answer.whole(404, "application/json; charset=utf-8", "{\"error\":\"model 'llama3.2' not found\"}"));
        assertThatThrownBy(() -> engine.complete(new GenerationRequest("r5", "llama3.2",
                Prompt.chat(ChatMessage.user("Hi")), SamplingParams.defaults())))
                .isInstanceOf(InferenceException.ModelNotFound.class);
    }

    @Test
    void modelsTakeResidencyFromPsAndAvailableFromTags() {
        engine.load(llama());
        engine.load(ModelSpec.of("qwen2.5:0.5b", Path.of("unused")));
        ollama.onJson("GET", "/api/ps", 200, "{\"models\":[{\"name\":\"llama3.2:latest\",\"model\":"
                + "\"llama3.2:latest\",\"size\":3619196928,\"digest\":\"a80c4f17acd5\",\"details\":{\"family\":"
                + "\"llama\"},\"expires_at\":\"2030-06-04T14:38:31.83753-07:00\",\"size_vram\":3619196928}]}");

        List<ModelStatus> models = engine.models();

        assertThat(models).extracting(ModelStatus::id).containsExactly("llama3.2", "qwen2.5:0.5b");
        assertThat(models.get(0).resident()).isTrue();
        assertThat(models.get(0).evictAt()).hasValue(Instant.parse("2030-06-04T21:38:31.837530Z"));
        assertThat(models.get(1).resident()).isFalse();
        assertThat(engine.available()).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo("llama3.2:latest");
            assertThat(m.engine()).isEqualTo("ollama");
            assertThat(m.family()).isEqualTo("llama");
            assertThat(m.parameterCount()).isEqualTo(3_200_000_000L);
            assertThat(m.quantization()).isEqualTo("Q4_K_M");
            assertThat(m.sizeBytes()).isEqualTo(2019393189L);
        });
    }

    @Test
    void unloadAsksOllamaToFreeTheModelAndForgetsIt() {
        engine.load(llama());

        engine.unload("llama3.2");

        assertThat(ollama.requests("/api/generate").getLast().body())
                .isEqualTo("{\"model\":\"llama3.2\",\"stream\":false,\"keep_alive\":0}");
        assertThat(engine.models()).isEmpty();
        assertThatThrownBy(() -> engine.unload("llama3.2")).isInstanceOf(InferenceException.ModelNotFound.class);
    }
}
