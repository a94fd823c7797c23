package io.aixcl.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.inference.InferenceBackends;
import io.aixcl.core.inference.InferenceEngine;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelStatus;
import io.aixcl.core.inference.ServedModel;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A gateway whose backend is an upstream that answers nothing useful (down, or refusing this gateway's key): every
 * listing is a 503 saying why, never a 500, and a caller without a valid key is refused before the upstream is asked.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UnreachableBackendTest {

    static final String WHY = "GET http://127.0.0.1:1/api/tags failed (401): the inference key is not valid";

    static final AtomicInteger asked = new AtomicInteger();
    static GatewayServer gateway;
    static Http http;

    /** Every question fails as the HTTP engines fail when the upstream refuses them. */
    static final class RefusingUpstream implements InferenceBackends {
        @Override
        public List<ServedModel> models() {
            asked.incrementAndGet();
            throw new InferenceException.EngineUnavailable(WHY, null);
        }

        @Override
        public InferenceEngine engineFor(String modelId) {
            asked.incrementAndGet();
            throw new InferenceException.EngineUnavailable(WHY, null);
        }

        @Override
        public List<ModelStatus> resident() {
            asked.incrementAndGet();
            throw new InferenceException.EngineUnavailable(WHY, null);
        }
    }

    /** An embedder never asked: only its name is listed. */
    static final class UnusedEmbedder implements Embedder {
        @Override
        public String modelId() {
            return "all-minilm";
        }

        @Override
        public boolean serves(String model) {
            return model.equals("all-minilm");
        }

        @Override
        public int dimensions() {
            return 384;
        }

        @Override
        public long sizeBytes() {
            return 1;
        }

        @Override
        public Embeddings embed(List<String> inputs) {
            throw new UnsupportedOperationException("not in this test");
        }
    }

    @BeforeAll
    static void start() {
        gateway = new GatewayServer(GatewayConfig.defaults().withListen(new InetSocketAddress("127.0.0.1", 0)),
                new RefusingUpstream(), new TestKeys(), new RecordingAuditLog(), new UnusedEmbedder(),
                Clock.systemUTC());
        gateway.start();
        http = new Http(gateway.address());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void listingsAnswer503WithTheUpstreamsReasonInEachProtocol() throws Exception {
        for (String path : List.of("/v1/models", "/api/tags", "/api/ps")) {
            HttpResponse<String> r = http.get(path, TestKeys.ALL);
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(503);
            assertThat(r.body()).as(path).contains("failed (401)");
        }
        assertThat(Http.json(http.get("/v1/models", TestKeys.ALL)).at("/error/code").asText())
                .isEqualTo("engine_unavailable");
        HttpResponse<String> chat = http.post("/api/chat", TestKeys.ALL,
                "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(503);
    }

    @Test
    void aCallerWithoutAValidKeyIsRefusedBeforeTheUpstreamIsAsked() throws Exception {
        int before = asked.get();
        for (String path : List.of("/v1/models", "/api/tags", "/api/ps", "/api/version")) {
            assertThat(http.get(path, "sk-wrong").statusCode()).as(path).isEqualTo(401);
            assertThat(http.get(path, null).statusCode()).as(path).isEqualTo(401);
        }
        assertThat(asked.get()).isEqualTo(before);
        // The version says nothing about the upstream, so it needs only the key.
        assertThat(http.get("/api/version", TestKeys.ALL).statusCode()).isEqualTo(200);
        assertThat(asked.get()).isEqualTo(before);
    }
}
