package io.aixcl.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import io.aixcl.core.inference.TokenUsage;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAI adapter against the benchmarks' real upstream: nginx serving the canned JSON and SSE fixtures. */
class OpenAiCompatibleEngineNginxTest {

    private static final List<String> CHAT_PIECES = List.of("The", " sky", " is", " blue", " because", " air",
            " scatters", " blue", " light", " more", " than", " red", ".");
    private static final String CHAT_TEXT = String.join("", CHAT_PIECES);

    @TempDir
    static Path prefix;
    private static NginxUpstream nginx;

    @BeforeAll
    static void startNginx() throws Exception {
        nginx = NginxUpstream.start(prefix);
    }

    @AfterAll
    static void stopNginx() throws Exception {
        nginx.close();
    }

    private static OpenAiCompatibleEngine engine(URI base, int concurrent) {
        var engine = new OpenAiCompatibleEngine(UpstreamConfig.of(base));
        engine.start();
        engine.load(ModelSpec.of("canned", Path.of("unused")).withLimits(concurrent, 64));
        return engine;
    }

    private static GenerationRequest chat() {
        return new GenerationRequest("r", "canned", Prompt.chat(ChatMessage.user("Why is the sky blue?")),
                SamplingParams.defaults());
    }

    private static GenerationRequest text() {
        return new GenerationRequest("r", "canned", Prompt.text("1, 2, 3,"), SamplingParams.defaults().withMaxTokens(6));
    }

    @Test
    void streamsTheCannedChatTokenByTokenWithItsUsage() {
        try (var engine = engine(nginx.sse(), 1)) {
            var events = new Events();

            Completion done = engine.generate(chat(), events).await();

            assertThat(events.tokens()).containsExactlyElementsOf(CHAT_PIECES);
            assertThat(done).isEqualTo(new Completion(CHAT_TEXT, FinishReason.STOP, new TokenUsage(14, 13)));
        }
    }

    @Test
    void readsTheCannedJsonChatAsOneToken() {
        try (var engine = engine(nginx.json(), 1)) {
            var events = new Events();

            Completion done = engine.generate(chat(), events).await();

            assertThat(events.tokens()).containsExactly(CHAT_TEXT);
            assertThat(done).isEqualTo(new Completion(CHAT_TEXT, FinishReason.STOP, new TokenUsage(14, 13)));
        }
    }

    @Test
    void textCompletionsStreamAndAnswerWholeToo() {
        try (var sse = engine(nginx.sse(), 1); var json = engine(nginx.json(), 1)) {
            var events = new Events();
            Completion streamed = sse.generate(text(), events).await();
            Completion whole = json.complete(text());

            assertThat(events.tokens()).containsExactly(" 4", ",", " 5", ",", " 6");
            assertThat(streamed).isEqualTo(new Completion(" 4, 5, 6", FinishReason.LENGTH, new TokenUsage(6, 6)));
            assertThat(whole).isEqualTo(streamed);
        }
    }

    @Test
    void sixtyFourConcurrentStreamsOverThePoolAllComplete() {
        try (var engine = engine(nginx.sse(), 64)) {
            for (int round = 0; round < 5; round++) {
                List<Generation> generations = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    generations.add(engine.generate(chat(), event -> { }));
                }
                assertThat(generations).allSatisfy(g -> assertThat(g.await().text()).isEqualTo(CHAT_TEXT));
            }
            assertThat(engine.models().getFirst().running()).isZero();
        }
    }
}
