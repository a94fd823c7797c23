package io.aixcl.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.audit.AuditEvent;
import io.aixcl.core.inference.Completion;
import io.aixcl.core.inference.EngineState;
import io.aixcl.core.inference.FinishReason;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationEvent;
import io.aixcl.core.inference.GenerationListener;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceBackends;
import io.aixcl.core.inference.InferenceEngine;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.ModelStatus;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.ServedModel;
import io.aixcl.core.inference.TokenUsage;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where the gateway serves a generation: a whole answer or a stream from a ready engine on the I/O thread that read the
 * request (no thread hop), and everything that may block (a model not yet registered) on a virtual thread, with the same answers, settlements and audit events either way. The engine is a stand-in that
 * records the thread that asked it and completes from a thread of its own, as the HTTP engines do.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IoThreadGenerationTest {

    static final String READY = "ready-model";
    static final String COLD = "cold-model";

    static final Map<String, Thread> askedOn = new ConcurrentHashMap<>();
    /** The length of each chat prompt the engine was asked for. */
    static final List<Integer> prompts = new CopyOnWriteArrayList<>();
    static final TestKeys keys = new TestKeys();
    static final RecordingAuditLog audit = new RecordingAuditLog();
    static GatewayServer gateway;
    static Http http;

    /** Answers "hi there" (3 prompt tokens, 2 completion tokens) 20 ms later, from another thread. */
    static final class LaterEngine implements InferenceEngine {
        @Override
        public Generation generate(GenerationRequest request, GenerationListener listener) {
            askedOn.put(request.requestId(), Thread.currentThread());
            if (request.prompt() instanceof Prompt.Chat chat) {
                prompts.add(chat.messages().stream().mapToInt(m -> m.content().length()).sum());
            }
            CompletableFuture<Completion> completion = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Completion done = new Completion("hi there", FinishReason.STOP, new TokenUsage(3, 2));
                listener.on(new GenerationEvent.Token("hi"));
                listener.on(new GenerationEvent.Token(" there"));
                listener.on(new GenerationEvent.Completed(done));
                completion.complete(done);
            });
            return new Generation() {
                @Override
                public GenerationRequest request() {
                    return request;
                }

                @Override
                public void cancel() {
                }

                @Override
                public CompletableFuture<Completion> completion() {
                    return completion;
                }
            };
        }

        @Override
        public void start() {
        }

        @Override
        public EngineState state() {
            return new EngineState.Stopped(0);
        }

        @Override
        public ModelStatus load(ModelSpec model) {
            throw new UnsupportedOperationException("not in this test");
        }

        @Override
        public void unload(String modelId) {
        }

        @Override
        public List<ModelStatus> models() {
            return List.of();
        }

        @Override
        public void close() {
        }
    }

    static final class Backends implements InferenceBackends {
        final LaterEngine engine = new LaterEngine();

        @Override
        public List<ServedModel> models() {
            return List.of();
        }

        @Override
        public InferenceEngine engineFor(String modelId) {
            return engine;
        }

        @Override
        public boolean ready(String modelId) {
            return modelId.startsWith(READY);
        }

        @Override
        public List<ModelStatus> resident() {
            return List.of();
        }
    }

    @BeforeAll
    static void start() {
        gateway = new GatewayServer(GatewayConfig.defaults().withListen(new InetSocketAddress("127.0.0.1", 0)),
                new Backends(), keys, audit, new UnreachableBackendTest.UnusedEmbedder(), Clock.systemUTC());
        gateway.start();
        http = new Http(gateway.address());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    static String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":16}";
    }

    /** The thread the engine was asked on for the request whose response carried {@code id}. */
    static Thread engineThread(String id) {
        assertThat(askedOn).containsKey(id);
        return askedOn.get(id);
    }

    @Test
    void aWholeAnswerFromAReadyEngineIsServedOnTheIoThreadWithItsUsageSettledAndAudited() throws Exception {
        int before = keys.reservations.size();
        HttpResponse<String> r = http.post("/v1/chat/completions", TestKeys.ALL, chat(READY, false));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        var json = Http.json(r);
        assertThat(json.at("/choices/0/message/content").asText()).isEqualTo("hi there");
        assertThat(json.at("/usage/total_tokens").asInt()).isEqualTo(5);
        Thread asked = engineThread(json.at("/id").asText());
        assertThat(asked.isVirtual()).as(asked.getName()).isFalse();
        assertThat(asked.getName()).startsWith("gateway");

        TestKeys.Held held = keys.reservations.get(before);
        assertThat(held.model).isEqualTo(READY);
        assertThat(held.settled).isEqualTo(new TokenUsage(3, 2));
        AuditEvent event = audit.await(e -> e.target().equals(READY) && e.parameters().get("stream").equals("false")
                && e.parameters().get("status").equals("200"));
        assertThat(event.parameters()).containsEntry("completionTokens", "2").containsEntry("status", "200");
        assertThat(event.outcome()).isEqualTo(AuditEvent.Outcome.SUCCEEDED);
    }

    @Test
    void aModelTheEngineMustFirstRegisterIsAskedForOnAVirtualThread() throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions", TestKeys.ALL, chat(COLD, false));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        var json = Http.json(r);
        assertThat(json.at("/choices/0/message/content").asText()).isEqualTo("hi there");
        assertThat(engineThread(json.at("/id").asText()).isVirtual()).isTrue();
    }

    @Test
    void aStreamFromAReadyEngineIsAskedForOnTheIoThreadWithEveryTokenItsUsageSettledAndOneAuditEntry()
            throws Exception {
        int before = keys.reservations.size();
        String model = READY + "-stream"; // its own audit entries: those of other tests land after theirs answered
        HttpResponse<String> r = http.post("/v1/chat/completions", TestKeys.ALL, "{\"model\":\"" + model
                + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":16}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("text/event-stream"));
        assertThat(r.body()).contains("\"role\":\"assistant\"").contains("\"content\":\"hi\"")
                .contains("\"content\":\" there\"").contains("\"total_tokens\":5").endsWith("data: [DONE]\n\n");
        assertThat(r.body().indexOf("\"content\":\"hi\"")).isLessThan(r.body().indexOf("\"content\":\" there\""));
        String id = r.body().replaceFirst("(?s).*?\"id\":\"([^\"]+)\".*", "$1");
        Thread asked = engineThread(id);
        assertThat(asked.isVirtual()).as(asked.getName()).isFalse();
        assertThat(asked.getName()).startsWith("gateway");

        TestKeys.Held held = keys.reservations.get(before);
        assertThat(held.settled).isEqualTo(new TokenUsage(3, 2));
        audit.await(e -> e.target().equals(model));
        Thread.sleep(100);
        List<AuditEvent> recorded = audit.events.stream().filter(e -> e.target().equals(model)).toList();
        assertThat(recorded).hasSize(1);
        assertThat(recorded.getFirst().parameters()).containsEntry("completionTokens", "2")
                .containsEntry("finishReason", "stop").containsEntry("stream", "true").containsEntry("status", "200");
    }

    @Test
    void anOllamaStreamFromAReadyEngineEndsWithItsCounts() throws Exception {
        HttpResponse<String> r = http.post("/api/chat", TestKeys.ALL, "{\"model\":\"" + READY
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String[] lines = r.body().strip().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).contains("\"content\":\"hi\"").contains("\"done\":false");
        assertThat(lines[2]).contains("\"done\":true").contains("\"prompt_eval_count\":3").contains("\"eval_count\":2");
    }

    @Test
    void aStreamForAModelTheEngineMustFirstRegisterIsAskedForOnAVirtualThread() throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions", TestKeys.ALL, chat(COLD, true));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("\"content\":\"hi\"").contains("\"content\":\" there\"")
                .endsWith("data: [DONE]\n\n");
        String id = r.body().replaceFirst("(?s).*?\"id\":\"([^\"]+)\".*", "$1");
        assertThat(engineThread(id).isVirtual()).isTrue();
    }

    @Test
    void aRefusedKeyOnTheIoThreadGetsItsOwnStatusAndReservesNothing() throws Exception {
        int before = keys.reservations.size();
        HttpResponse<String> r = http.post("/v1/chat/completions", "sk-wrong", chat(READY, false));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(Http.json(r).at("/error/code").asText()).isEqualTo("invalid_api_key");
        assertThat(keys.reservations).hasSize(before);
        HttpResponse<String> stream = http.post("/v1/chat/completions", "sk-wrong", chat(READY, true));
        assertThat(stream.statusCode()).as(stream.body()).isEqualTo(401);
    }

    @Test
    void aBodyLargerThanTheFirstBufferIsReadWhole() throws Exception {
        String prompt = "x".repeat(100_000);
        HttpResponse<String> r = http.post("/v1/chat/completions", TestKeys.ALL, "{\"model\":\"" + READY
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}],\"max_tokens\":16}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        // The engine saw the whole prompt, not a prefix the size of a buffer.
        assertThat(prompts).contains(100_000);
    }

    @Test
    void aBodyThatArrivesInTwoPartsIsReadWholeWithoutAThreadWaitingForIt() throws Exception {
        byte[] body = chat(READY, false).getBytes(StandardCharsets.UTF_8);
        InetSocketAddress address = gateway.address();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestKeys.ALL
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close"
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, 0, 10);
            out.flush();
            Thread.sleep(200);
            out.write(body, 10, body.length - 10);
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200").contains("\"content\":\"hi there\"");
            // The rest of the body woke the I/O thread, which served it: no thread waited for the body either.
            String id = answer.replaceFirst("(?s).*?\"id\":\"([^\"]+)\".*", "$1");
            assertThat(engineThread(id).isVirtual()).isFalse();
        }
    }
}
