package io.aixcl.engine.http;

import static io.aixcl.engine.http.Transcripts.CHAT_ROLE;
import static io.aixcl.engine.http.Transcripts.DONE;
import static io.aixcl.engine.http.Transcripts.HELLO_WORLD_STREAM;
import static io.aixcl.engine.http.Transcripts.MODELS;
import static io.aixcl.engine.http.Transcripts.chatChunk;
import static io.aixcl.engine.http.Transcripts.chatFinish;
import static io.aixcl.engine.http.Transcripts.sse;
import static io.aixcl.engine.http.Transcripts.textChunk;
import static io.aixcl.engine.http.Transcripts.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.EngineState;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.GenerationEvent;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import io.aixcl.core.inference.TokenUsage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAI adapter's protocol behaviour against a scripted upstream: what it sends, and every way an answer goes. */
class OpenAiCompatibleEngineTest {

    private static final String CHAT = "/v1/chat/completions";
    private static final String SSE = "text/event-stream";

    private FakeUpstream upstream;
    private OpenAiCompatibleEngine engine;

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = new FakeUpstream().onJson("GET", "/v1/models", 200, MODELS);
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
        upstream.close();
    }

    private OpenAiCompatibleEngine started(UpstreamConfig config) {
        engine = new OpenAiCompatibleEngine(config);
        engine.start();
        engine.load(ModelSpec.of("tiny", Path.of("unused")).withLimits(4, 4));
        return engine;
    }

    private OpenAiCompatibleEngine started() {
        return started(config());
    }

    private UpstreamConfig config() {
        return UpstreamConfig.of(upstream.baseUrl())
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    private static GenerationRequest chat(String text) {
        return new GenerationRequest("r1", "tiny", Prompt.chat(ChatMessage.system("Be brief."), ChatMessage.user(text)),
                SamplingParams.defaults().withMaxTokens(16).withTemperature(0.5).withTopP(0.9));
    }

    private void streams(String path, String body) {
        upstream.on("POST", path, (request, answer) -> {
            answer.startChunked(200, SSE);
            answer.chunk(body);
            answer.endChunked();
        });
    }

    @Test
    void sendsAStreamingChatRequestWithTheBearerTokenAndReadsTokensAndUsage(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "sk-test-123\n");
        streams(CHAT, HELLO_WORLD_STREAM);
        started(config().withApiKeyFile(key));
        var events = new Events();

        Completion done = engine.generate(chat("Hi"), events).await();

        assertThat(done).isEqualTo(new Completion("Hello world", FinishReason.STOP, new TokenUsage(12, 2)));
        assertThat(events.tokens()).containsExactly("Hello", " world");
        assertThat(events.all().getLast()).isEqualTo(new GenerationEvent.Completed(done));
        var sent = upstream.requests(CHAT).getFirst();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.body()).isEqualTo("{\"model\":\"tiny\",\"messages\":[{\"role\":\"system\",\"content\":"
                + "\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":true,\"stream_options\":"
                + "{\"include_usage\":true},\"max_tokens\":16,\"temperature\":0.5,\"top_p\":0.9}");
        assertThat(sent.header("Authorization")).isEqualTo("Bearer sk-test-123");
        assertThat(sent.header("Content-Type")).isEqualTo("application/json");
        assertThat(sent.header("Accept")).startsWith("text/event-stream");
        assertThat(upstream.requests("/v1/models")).allSatisfy(r ->
                assertThat(r.header("Authorization")).isEqualTo("Bearer sk-test-123"));
    }

    @Test
    void aTextPromptGoesToCompletionsWithStopAndSeed() throws Exception {
        streams("/v1/completions", sse(textChunk("1, 2", null), textChunk(", 3", "length"), usage(3, 2), DONE));
        started();
        var request = new GenerationRequest("r2", "tiny", Prompt.text("Count: "),
                SamplingParams.defaults().withMaxTokens(2).withStop(List.of("\n", "END")).withSeed(42));

        Completion done = engine.complete(request);

        assertThat(done).isEqualTo(new Completion("1, 2, 3", FinishReason.LENGTH, new TokenUsage(3, 2)));
        assertThat(upstream.requests("/v1/completions").getFirst().body()).isEqualTo("{\"model\":\"tiny\","
                + "\"prompt\":\"Count: \",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":2,"
                + "\"temperature\":0.8,\"top_p\":0.95,\"stop\":[\"\\n\",\"END\"],\"seed\":42}");
    }

    @Test
    void anUpstreamNamedByHostNameIsResolvedAndAnUnknownNameFailsPrecisely() throws Exception {
        streams(CHAT, HELLO_WORLD_STREAM);
        engine = new OpenAiCompatibleEngine(UpstreamConfig.of(URI.create("http://localhost:"
                + upstream.baseUrl().getPort())));
        engine.start();
        engine.load(ModelSpec.of("tiny", Path.of("unused")));
        assertThat(engine.complete(chat("Hi")).text()).isEqualTo("Hello world");

        var unknown = new OpenAiCompatibleEngine(UpstreamConfig.of(URI.create("http://no-such-host.invalid:1"))
                .withStartTimeout(Duration.ZERO));
        assertThatThrownBy(unknown::start).isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageContaining("unknown host no-such-host.invalid");
        assertThat(UpstreamClient.ipLiteral("127.0.0.1")).isTrue();
        assertThat(UpstreamClient.ipLiteral("[::1]")).isTrue();
        assertThat(UpstreamClient.ipLiteral("localhost")).isFalse();
    }

    @Test
    void aBaseUrlEndingInV1IsNotDoubled() throws Exception {
        streams(CHAT, HELLO_WORLD_STREAM);
        engine = new OpenAiCompatibleEngine(UpstreamConfig.of(URI.create(upstream.baseUrl() + "/v1/")));
        engine.start();
        engine.load(ModelSpec.of("tiny", Path.of("unused")));

        assertThat(engine.complete(chat("Hi")).text()).isEqualTo("Hello world");
        assertThat(upstream.requests()).extracting(FakeUpstream.Recorded::path).doesNotContain("/v1/v1/models");
    }

    @Test
    void readsEventsSplitAnywhereAcrossReads() throws Exception {
        String stream = HELLO_WORLD_STREAM.replace("\n", "\r\n"); // CRLF line ends are valid SSE too
        upstream.on("POST", CHAT, (request, answer) -> {
            answer.startChunked(200, SSE);
            for (int i = 0; i < stream.length(); i += 7) {
                answer.chunk(stream.substring(i, Math.min(stream.length(), i + 7)));
            }
            answer.endChunked();
        });
        started();
        var events = new Events();

        assertThat(engine.generate(chat("Hi"), events).await().text()).isEqualTo("Hello world");
        assertThat(events.tokens()).containsExactly("Hello", " world");
    }

    @Test
    void withoutUsageCountsChunksAndEstimatesThePrompt() throws Exception {
        streams(CHAT, sse(": keep-alive comment", CHAT_ROLE, chatChunk("a"), chatChunk("b"), chatChunk("c"),
                chatFinish("stop"), DONE).replace("data: : keep-alive comment", ": keep-alive comment"));
        started();

        Completion done = engine.complete(chat("Hi"));

        // "Be brief." (9 chars) and "Hi" (2): 4 + 3 and 4 + 1 by the four-characters-a-token estimate.
        assertThat(done).isEqualTo(new Completion("abc", FinishReason.STOP, new TokenUsage(12, 3)));
    }

    @Test
    void aJsonAnswerIsReadAsOneWholeCompletion() throws Exception {
        upstream.onJson("POST", CHAT, 200, "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\",\"created\":1,"
                + "\"model\":\"tiny\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                + "\"Hello there\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,"
                + "\"completion_tokens\":3,\"total_tokens\":12}}");
        started();
        var events = new Events();

        Completion done = engine.generate(chat("Hi"), events).await();

        assertThat(done).isEqualTo(new Completion("Hello there", FinishReason.STOP, new TokenUsage(9, 3)));
        assertThat(events.tokens()).containsExactly("Hello there");
    }

    @Test
    void mapsUpstreamStatusesToThePortsFailures() throws Exception {
        started();
        upstream.onJson("POST", CHAT, 404, Transcripts.openAiError("The model `tiny` does not exist", "model_not_found"));
        assertThatThrownBy(() -> engine.complete(chat("Hi"))).isInstanceOf(InferenceException.ModelNotFound.class)
                .hasMessageContaining("'tiny'");

        upstream.onJson("POST", CHAT, 400, Transcripts.vllmError(400,
                "This model's maximum context length is 2048 tokens. However, you requested 4000 tokens."));
        assertThatThrownBy(() -> engine.complete(chat("Hi"))).isInstanceOf(InferenceException.InvalidRequest.class)
                .hasMessage("the upstream refused the request (400): This model's maximum context length is 2048"
                        + " tokens. However, you requested 4000 tokens.");

        upstream.onJson("POST", CHAT, 429, Transcripts.openAiError("Rate limit reached", "rate_limit_exceeded"));
        assertThatThrownBy(() -> engine.complete(chat("Hi"))).isInstanceOf(InferenceException.Busy.class);

        // llama.cpp's server while it is still loading its model.
        upstream.onJson("POST", CHAT, 503, "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":"
                + "\"unavailable_error\"}}");
        assertThatThrownBy(() -> engine.complete(chat("Hi"))).isInstanceOf(InferenceException.Busy.class);

        upstream.onJson("POST", CHAT, 500, "{\"error\":{\"code\":500,\"message\":\"failed to decode\"}}");
        assertThatThrownBy(() -> engine.complete(chat("Hi")))
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageEndingWith("/v1/chat/completions failed (500): failed to decode");
        assertThat(engine.models().getFirst().running()).isZero();
    }

    @Test
    void aStallBetweenChunksFailsAfterTheIdleTimeoutWithTheTokensSoFarDelivered() throws Exception {
        var release = new CountDownLatch(1);
        upstream.on("POST", CHAT, (request, answer) -> {
            answer.startChunked(200, SSE);
            answer.chunk(sse(CHAT_ROLE, chatChunk("Hello")));
            release.await(10, TimeUnit.SECONDS);
        });
        started(config().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(300)));
        var events = new Events();
        long start = System.nanoTime();

        assertThatThrownBy(() -> engine.generate(chat("Hi"), events).await())
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageContaining("stalled: no data for 300 ms after 1 token(s)");
        release.countDown();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(2));
        assertThat(events.tokens()).containsExactly("Hello");
    }

    @Test
    void noFirstByteWithinItsTimeoutFails() throws Exception {
        var release = new CountDownLatch(1);
        upstream.on("POST", CHAT, (request, answer) -> release.await(10, TimeUnit.SECONDS));
        started(config().withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(2)));

        assertThatThrownBy(() -> engine.complete(chat("Hi")))
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageEndingWith("/v1/chat/completions got no answer within 300 ms");
        release.countDown();
    }

    @Test
    void aConnectionDroppedMidStreamFailsNamingIt() throws Exception {
        upstream.on("POST", CHAT, (request, answer) -> {
            answer.startChunked(200, SSE);
            answer.chunk(sse(CHAT_ROLE, chatChunk("Hel")));
            Thread.sleep(50);
            answer.drop();
        });
        started();
        var events = new Events();

        assertThatThrownBy(() -> engine.generate(chat("Hi"), events).await())
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageContaining("after 1 token(s), mid-stream");
        assertThat(events.tokens()).containsExactly("Hel");
    }

    @Test
    void aStreamThatEndsWithoutFinishingIsAFailureNotASuccess() throws Exception {
        streams(CHAT, sse(CHAT_ROLE, chatChunk("Hel")));
        started();

        assertThatThrownBy(() -> engine.complete(chat("Hi")))
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageContaining("after 1 token(s) without saying the generation finished");
    }

    @Test
    void malformedEventsFailPrecisely() throws Exception {
        streams(CHAT, sse(CHAT_ROLE, "{\"choices\":[{\"delta\":{\"content\":\"a\"}"));
        started();

        assertThatThrownBy(() -> engine.complete(chat("Hi")))
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageStartingWith("the upstream sent malformed server-sent event ({\"choices\"");
    }

    @Test
    void anErrorReportedMidStreamFailsWithItsMessage() throws Exception {
        streams(CHAT, sse(CHAT_ROLE, chatChunk("a"),
                "{\"error\":{\"code\":500,\"message\":\"llama_decode failed\",\"type\":\"server_error\"}}"));
        started();

        assertThatThrownBy(() -> engine.complete(chat("Hi")))
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessage("the upstream reported an error: llama_decode failed");
    }

    @Test
    void anAnswerThatIsNeitherSseNorJsonIsRefused() throws Exception {
        upstream.on("POST", CHAT, (request, answer) -> answer.whole(200, "text/html", "<html>proxy login</html>"));
        started();

        assertThatThrownBy(() -> engine.complete(chat("Hi")))
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageContaining("Content-Type 'text/html', neither text/event-stream nor application/json");
    }

    @Test
    void cancellingMidStreamCompletesWithTheTokensSoFarAndHangsUpOnTheUpstream() throws Exception {
        var hungUp = new CountDownLatch(1);
        upstream.on("POST", CHAT, (request, answer) -> {
            answer.startChunked(200, SSE);
            answer.chunk(sse(CHAT_ROLE, chatChunk("Hello"), chatChunk(" wor")));
            if (answer.awaitClientClose(Duration.ofSeconds(5))) {
                hungUp.countDown();
            }
        });
        started();
        var events = new Events();
        var generation = engine.generate(chat("Hi"), events);
        events.awaitTokens(2);

        generation.cancel();
        generation.cancel(); // a second cancel changes nothing

        Completion done = generation.await();
        assertThat(done.text()).isEqualTo("Hello wor");
        assertThat(done.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(done.usage().completionTokens()).isEqualTo(2);
        assertThat(hungUp.await(5, TimeUnit.SECONDS)).as("the upstream saw the connection close").isTrue();
        assertThat(events.all().stream().filter(GenerationEvent::terminal)).hasSize(1);
        assertThat(engine.models().getFirst().running()).isZero();
    }

    @Test
    void loadRefusesAModelTheUpstreamDoesNotList() {
        engine = new OpenAiCompatibleEngine(config());
        engine.start();

        assertThatThrownBy(() -> engine.load(ModelSpec.of("gpt-unknown", Path.of("unused"))))
                .isInstanceOf(InferenceException.ModelNotFound.class);
        assertThatThrownBy(() -> engine.generate(chat("Hi"), new Events()))
                .isInstanceOf(InferenceException.ModelNotFound.class);
        assertThat(engine.available()).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo("tiny");
            assertThat(m.engine()).isEqualTo("openai");
            assertThat(m.parameterCount()).isEqualTo(1_000_000);
            assertThat(m.contextLength()).hasValue(4096);
        });
    }

    @Test
    void aRefusedConnectionIsEngineUnavailableAndMarksTheEngineCrashedUntilItAnswersAgain() throws Exception {
        started();
        int port = upstream.port();
        upstream.close();

        assertThatThrownBy(() -> engine.complete(chat("Hi")))
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("cannot connect");
        assertThat(engine.state()).isInstanceOf(EngineState.Crashed.class);
        assertThat(engine.state().summary()).contains("unreachable");
    }

    @Test
    void startFailsClearlyWhenNothingAnswers() throws Exception {
        int port = upstream.port();
        upstream.close();
        engine = new OpenAiCompatibleEngine(UpstreamConfig.of(URI.create("http://127.0.0.1:" + port))
                .withStartTimeout(Duration.ofMillis(500)));

        assertThatThrownBy(engine::start)
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageStartingWith("the OpenAI-compatible upstream at http://127.0.0.1:" + port
                        + " was not ready within 500 ms: GET http://127.0.0.1:" + port + "/v1/models: cannot connect");
        assertThat(engine.state()).isInstanceOf(EngineState.Stopped.class);
    }

    @Test
    void startFailsAtOnceWhenTheKeyIsRefused() throws Exception {
        upstream.onJson("GET", "/v1/models", 401, Transcripts.openAiError("Invalid API key", "invalid_api_key"));
        engine = new OpenAiCompatibleEngine(config().withStartTimeout(Duration.ofSeconds(30)));
        long start = System.nanoTime();

        assertThatThrownBy(engine::start)
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageContaining("answered 401: Invalid API key (check the API key)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anEngineWhoseStartFailedCanBeStartedAgain() throws Exception {
        upstream.onJson("GET", "/v1/models", 503, "{\"error\":{\"code\":503,\"message\":\"Loading model\"}}");
        engine = new OpenAiCompatibleEngine(config().withStartTimeout(Duration.ofMillis(300)));
        assertThatThrownBy(engine::start).hasMessageEndingWith("answered 503: Loading model");

        upstream.onJson("GET", "/v1/models", 200, MODELS);
        engine.start();
        engine.load(ModelSpec.of("tiny", Path.of("unused")));
        streams(CHAT, HELLO_WORLD_STREAM);

        assertThat(engine.state()).isInstanceOf(EngineState.Ready.class);
        assertThat(engine.complete(chat("Hi")).text()).isEqualTo("Hello world");
    }
}
