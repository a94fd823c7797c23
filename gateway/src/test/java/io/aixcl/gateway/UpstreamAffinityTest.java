package io.aixcl.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationListener;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceBackends;
import io.aixcl.core.inference.InferenceEngine;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.ModelStatus;
import io.aixcl.core.inference.ServedModel;
import io.aixcl.engine.http.OpenAiCompatibleEngine;
import io.aixcl.engine.http.UpstreamConfig;
import io.aixcl.gateway.http.GatewayTransport;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway and a real OpenAI-compatible engine on one set of event loops, as the daemon wires them, in front of
 * a real HTTP upstream: a whole answer is asked for, read back from the upstream and written to the client by the
 * one event loop thread that read the request; a client that leaves a stream closes the upstream connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstreamAffinityTest {

    static final String MODEL = "canned";
    static final String CHAT = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"canned\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hello there\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}";

    static final Map<String, Thread> askedOn = new ConcurrentHashMap<>();
    static final Map<String, Thread> answeredOn = new ConcurrentHashMap<>();
    static final AtomicInteger streamsStarted = new AtomicInteger();
    static final CompletableFuture<String> streamEnded = new CompletableFuture<>();

    static HttpServer upstream;
    static EventLoopGroup loops;
    static OpenAiCompatibleEngine engine;
    static GatewayServer gateway;
    static Http http;

    /** The engine, recording the thread that asked it and the thread its answer completed on. */
    static final class Recording implements InferenceBackends {
        final InferenceEngine inner;

        Recording(InferenceEngine inner) {
            this.inner = inner;
        }

        @Override
        public List<ServedModel> models() {
            return List.of();
        }

        @Override
        public InferenceEngine engineFor(String modelId) {
            return (InferenceEngine) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {InferenceEngine.class}, (proxy, method, args) -> {
                        Object result;
                        try {
                            result = method.invoke(inner, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                        if (method.getName().equals("generate")) {
                            String id = ((GenerationRequest) args[0]).requestId();
                            askedOn.put(id, Thread.currentThread());
                            ((Generation) result).completion().whenComplete((done, failure) ->
                                    answeredOn.put(id, Thread.currentThread()));
                        }
                        return result;
                    });
        }

        @Override
        public boolean ready(String modelId) {
            return true;
        }

        @Override
        public List<ModelStatus> resident() {
            return List.of();
        }
    }

    @BeforeAll
    static void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.createContext("/v1/models", exchange -> answer(exchange, "application/json",
                "{\"object\":\"list\",\"data\":[{\"id\":\"canned\",\"object\":\"model\"}]}"));
        upstream.createContext("/v1/chat/completions", UpstreamAffinityTest::chat);
        upstream.start();

        loops = GatewayTransport.newLoops("gateway");
        engine = new OpenAiCompatibleEngine(UpstreamConfig.of(URI.create("http://127.0.0.1:"
                + upstream.getAddress().getPort())), loops);
        engine.start();
        engine.load(ModelSpec.of(MODEL, Path.of("unused")).withLimits(8, 64));
        gateway = new GatewayServer(GatewayConfig.defaults().withListen(new InetSocketAddress("127.0.0.1", 0)),
                new Recording(engine), new TestKeys(), new RecordingAuditLog(),
                new UnreachableBackendTest.UnusedEmbedder(), Clock.systemUTC(), loops);
        gateway.start();
        http = new Http(gateway.address());
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    /** A whole answer, or (for a prompt "forever") an event stream that goes on until the reader leaves. */
    static void chat(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!body.contains("forever")) {
            answer(exchange, "application/json", CHAT);
            return;
        }
        streamsStarted.incrementAndGet();
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < 2000; i++) {
                out.write(("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"canned\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok" + i + " \"},\"finish_reason\":null}]}"
                        + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(20);
            }
            streamEnded.complete("the upstream wrote all 2000 events: the gateway never closed the connection");
        } catch (IOException e) {
            streamEnded.complete("closed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void answer(HttpExchange exchange, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static String chatRequest(String prompt, boolean stream) {
        return "{\"model\":\"" + MODEL + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\""
                + prompt + "\"}],\"max_tokens\":4000}";
    }

    @Test
    void aWholeAnswerIsAskedForReadFromTheUpstreamAndWrittenOnTheEventLoopThatReadTheRequest() throws Exception {
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> r = http.post("/v1/chat/completions", TestKeys.ALL, chatRequest("hi", false));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            var json = Http.json(r);
            assertThat(json.at("/choices/0/message/content").asText()).isEqualTo("hello there");
            String id = json.at("/id").asText();
            Thread asked = askedOn.get(id);
            assertThat(asked).as("the thread that asked the engine").isNotNull();
            assertThat(asked.isVirtual()).isFalse();
            assertThat(asked.getName()).startsWith("gateway");
            // The upstream's answer completed the generation on that same loop (its connection is that loop's),
            // and the response is written by the completion: no other thread touched the request.
            // (Recorded by a dependent of the completion that runs after the one that writes the response.)
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (answeredOn.get(id) == null && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(answeredOn.get(id)).as("the thread the upstream's answer was read on").isSameAs(asked);
        }
    }

    @Test
    void aClientThatLeavesAStreamClosesTheUpstreamConnection() throws Exception {
        InetSocketAddress address = gateway.address();
        byte[] body = chatRequest("forever", true).getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestKeys.ALL
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String seen = "";
            while (!seen.contains("tok3 ")) {
                byte[] some = new byte[1024];
                int n = in.read(some);
                assertThat(n).as("the stream ended early: " + seen).isPositive();
                seen += new String(some, 0, n, StandardCharsets.UTF_8);
            }
            assertThat(seen).startsWith("HTTP/1.1 200");
        }
        // 2000 events 20 ms apart would take 40 s; the upstream sees its connection closed long before.
        assertThat(streamEnded.get(10, TimeUnit.SECONDS)).isEqualTo("closed");
        assertThat(streamsStarted.get()).isEqualTo(1);
    }
}
