package io.aixcl.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.aixcl.core.inference.Generation;
import io.aixcl.core.inference.GenerationListener;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.GenerationListener;
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
import java.util.Set;
import java.time.Duration;
import io.aixcl.core.audit.AuditEvent;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.io.ByteArrayOutputStream;
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
    static final Map<String, Set<Thread>> eventThreads = new ConcurrentHashMap<>();
    static final AtomicInteger streamsStarted = new AtomicInteger();
    /** Events of the "flood" stream the upstream has handed to its socket so far. */
    static final AtomicInteger floodWritten = new AtomicInteger();
    static final int FLOOD = 30_000;
    static final String PADDING = "x".repeat(2000);
    static final TestKeys keys = new TestKeys();
    static final RecordingAuditLog audit = new RecordingAuditLog();
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
                        if (method.getName().equals("generate")) {
                            // Every event's thread: a relayed stream is rendered and written by the one that reads it.
                            String id = ((GenerationRequest) args[0]).requestId();
                            GenerationListener listener = (GenerationListener) args[1];
                            args[1] = (GenerationListener) event -> {
                                eventThreads.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet())
                                        .add(Thread.currentThread());
                                listener.on(event);
                            };
                        }
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
        // A short idle deadline: a stream held back by its client must not count as an upstream that stalled.
        engine = new OpenAiCompatibleEngine(UpstreamConfig.of(URI.create("http://127.0.0.1:"
                + upstream.getAddress().getPort())).withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofMillis(800)), loops);
        engine.start();
        engine.load(ModelSpec.of(MODEL, Path.of("unused")).withLimits(8, 64));
        gateway = new GatewayServer(GatewayConfig.defaults().withListen(new InetSocketAddress("127.0.0.1", 0)),
                new Recording(engine), keys, audit,
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

    static String event(String content, String finish) {
        return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"canned\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}\n\n";
    }

    /**
     * A whole answer, or an event stream: "forever" goes on until the reader leaves, "flood" is FLOOD events of 2 KB
     * as fast as the connection takes them, "break" is three events and a connection closed mid-stream.
     */
    static void chat(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (body.contains("flood") || body.contains("break")) {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            if (body.contains("break")) {
                for (int i = 0; i < 3; i++) {
                    out.write(event("b" + i + " ", null).getBytes(StandardCharsets.UTF_8));
                }
                out.flush();
                // Ends the exchange without the chunked body's end: the connection closes mid-stream.
                throw new IOException("the upstream breaks off");
            }
            for (int i = 0; i < FLOOD; i++) {
                out.write(event(String.format("t%05d", i) + PADDING, null).getBytes(StandardCharsets.UTF_8));
                floodWritten.incrementAndGet();
            }
            out.write((event("", "stop") + "data: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
            out.close();
            return;
        }
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
        int auditBefore = settledAuditCount();
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
        // Billed what was generated until the client left (the upstream sent no usage: counted), recorded once.
        AuditEvent event = audit.await(e -> audit.events.indexOf(e) >= auditBefore
                && "cancelled".equals(e.parameters().get("finishReason")));
        assertThat(Integer.parseInt(event.parameters().get("completionTokens"))).isGreaterThanOrEqualTo(4);
        TestKeys.Held held = keys.reservations.stream().filter(h -> h.settled != null
                && h.settled.completionTokens() == Integer.parseInt(event.parameters().get("completionTokens")))
                .findFirst().orElseThrow();
        assertThat(held.closedUnspent).isFalse();
        Thread.sleep(100);
        assertThat(audit.events.subList(auditBefore, audit.events.size())).hasSize(1);
    }

    /**
     * The audit entries so far, once the other tests' have landed: entries are appended after their answers (the log
     * defers them a window), so one from the test before may land after this test has begun.
     */
    static int settledAuditCount() throws InterruptedException {
        int count = audit.events.size();
        while (true) {
            Thread.sleep(200);
            int now = audit.events.size();
            if (now == count) {
                return now;
            }
            count = now;
        }
    }

    /** Sends {@code body} to {@code path} on a raw connection that reads nothing yet (its buffer is kept small). */
    static Socket rawPost(String path, String body) throws IOException {
        InetSocketAddress address = gateway.address();
        Socket socket = new Socket();
        socket.setReceiveBufferSize(16 * 1024);
        socket.connect(address);
        socket.setSoTimeout(30_000);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestKeys.ALL
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
        return socket;
    }

    /** The body of a chunked response read to its end. */
    static String dechunked(byte[] response) {
        String all = new String(response, StandardCharsets.ISO_8859_1);
        int at = all.indexOf("\r\n\r\n") + 4;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int lineEnd = all.indexOf("\r\n", at);
            int size = Integer.parseInt(all.substring(at, lineEnd).trim(), 16);
            if (size == 0) {
                return body.toString(StandardCharsets.UTF_8);
            }
            body.write(response, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }

    @Test
    void aStreamIsAskedForReadAndWrittenOnTheEventLoopThatReadTheRequest() throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions", TestKeys.ALL, "{\"model\":\"" + MODEL
                + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"break\"}],"
                + "\"max_tokens\":16}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String id = r.body().replaceFirst("(?s).*?\"id\":\"([^\"]+)\".*", "$1");
        Thread asked = askedOn.get(id);
        assertThat(asked).as("the thread that asked the engine").isNotNull();
        assertThat(asked.isVirtual()).isFalse();
        assertThat(asked.getName()).startsWith("gateway");
        // Three tokens and the failure, each rendered and written by the loop that read the request: no other thread.
        assertThat(eventThreads.get(id)).containsExactly(asked);
    }

    @Test
    void anUpstreamThatBreaksOffMidStreamGivesEachApiItsErrorShapeAfterTheTokensSent() throws Exception {
        HttpResponse<String> openai = http.post("/v1/chat/completions", TestKeys.ALL, chatRequest("break", true));
        assertThat(openai.statusCode()).as(openai.body()).isEqualTo(200);
        assertThat(openai.body()).contains("\"content\":\"b0 \"").contains("\"content\":\"b2 \"");
        String[] events = openai.body().strip().split("\n\n");
        assertThat(events[events.length - 1]).startsWith("data: {\"error\":{\"message\":")
                .contains("\"type\":");
        assertThat(openai.body()).doesNotContain("[DONE]");

        HttpResponse<String> ollama = http.post("/api/chat", TestKeys.ALL, "{\"model\":\"" + MODEL
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"break\"}]}");
        assertThat(ollama.statusCode()).as(ollama.body()).isEqualTo(200);
        String[] lines = ollama.body().strip().split("\n");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).contains("\"content\":\"b0 \"").contains("\"done\":false");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines[3]).get("error").isTextual()).as(lines[3]).isTrue();
        AuditEvent failed = audit.await(e -> e.outcome() == AuditEvent.Outcome.FAILED
                && e.action().contains("chat") && e.parameters().get("stream").equals("true"));
        assertThat(failed.parameters().get("status")).isEqualTo("200");
    }

    @Test
    void aClientThatStopsReadingStopsTheUpstreamConnectionAndThenGetsEveryByteInOrder() throws Exception {
        try (Socket socket = rawPost("/v1/chat/completions", chatRequest("flood", true))) {
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes(15), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 OK");
            // The client reads nothing for 2 s, longer than the upstream's idle deadline (800 ms): the daemon stops
            // reading the upstream, whose writes then block on full socket buffers, and the stream is not failed.
            Thread.sleep(1500);
            int stalled = floodWritten.get();
            Thread.sleep(500);
            assertThat(floodWritten.get()).as("the upstream kept writing while the client read nothing")
                    .isEqualTo(stalled).isLessThan(FLOOD);

            String body = dechunked(in.readAllBytes());
            Matcher token = Pattern.compile("\"content\":\"t(\\d{5})x{2000}\"").matcher(body);
            int expected = 0;
            while (token.find()) {
                assertThat(Integer.parseInt(token.group(1))).isEqualTo(expected);
                expected++;
            }
            assertThat(expected).isEqualTo(FLOOD);
            assertThat(body).endsWith("data: [DONE]\n\n");
        }
        assertThat(floodWritten.get()).isEqualTo(FLOOD);
    }
}
