package io.aixcl.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.aixcl.core.audit.AuditEvent;
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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that stops reading a stream for good, in front of a real engine (one slot for its model) and a real
 * upstream, on the gateway's loops as the daemon wires them: the stream is held back while the client reads nothing,
 * and once it has taken nothing for the gateway's write timeout the generation is cancelled (the upstream's connection
 * closed, the slot freed, the tokens so far billed, one audit entry that says why) and the client's connection closed;
 * the request queued behind it is then served.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StalledStreamClientTest {

    static final String MODEL = "canned";
    static final Duration WRITE_TIMEOUT = Duration.ofMillis(1500);
    static final String CHAT = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"canned\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hello there\"},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}";
    static final String PADDING = "x".repeat(8000);
    /** Far more than any socket buffers hold: the upstream writes until it is held back, or told to stop. */
    static final int FLOOD = 100_000;
    /** More than the socket buffers between the gateway and a client that reads nothing hold (12 MB). */
    static final int BURST = 1500;

    final AtomicInteger floodWritten = new AtomicInteger();
    final CompletableFuture<String> floodEnded = new CompletableFuture<>();
    final TestKeys keys = new TestKeys();
    final RecordingAuditLog audit = new RecordingAuditLog();
    HttpServer upstream;
    EventLoopGroup loops;
    OpenAiCompatibleEngine engine;
    GatewayServer gateway;

    /**
     * The one engine; {@code ready}: its model registered, so a stream is asked for on the loop that read its
     * request, else on a thread that may block; either way it is relayed from the engine's callbacks.
     */
    record OneEngine(InferenceEngine engine, boolean ready) implements InferenceBackends {
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
            return ready;
        }

        @Override
        public List<ModelStatus> resident() {
            return List.of();
        }
    }

    @BeforeEach
    void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.createContext("/v1/models", exchange -> answer(exchange,
                "{\"object\":\"list\",\"data\":[{\"id\":\"canned\",\"object\":\"model\"}]}"));
        upstream.createContext("/v1/chat/completions", this::chat);
        upstream.start();

        loops = GatewayTransport.newLoops("gateway");
        // The upstream's idle deadline (800 ms) is shorter than the write timeout: what cuts the stream off must be
        // the client taking nothing, not the upstream seeming to stall while it is held back.
        engine = new OpenAiCompatibleEngine(UpstreamConfig.of(URI.create("http://127.0.0.1:"
                + upstream.getAddress().getPort())).withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofMillis(800)), loops);
        engine.start();
        engine.load(ModelSpec.of(MODEL, Path.of("unused")).withLimits(1, 4));
    }

    void startGateway(boolean ready) {
        gateway = new GatewayServer(GatewayConfig.defaults().withListen(new InetSocketAddress("127.0.0.1", 0))
                .withStreamWriteTimeout(WRITE_TIMEOUT), new OneEngine(engine, ready), keys, audit,
                new UnreachableBackendTest.UnusedEmbedder(), Clock.systemUTC(), loops);
        gateway.start();
    }

    @AfterEach
    void stop() {
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

    /**
     * "flood": 8 KB events as fast as the connection takes them; "burst": BURST of them and the end; anything else: a
     * whole answer.
     */
    void chat(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (!body.contains("flood") && !body.contains("burst")) {
            answer(exchange, CHAT);
            return;
        }
        int events = body.contains("flood") ? FLOOD : BURST;
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < events; i++) {
                out.write(UpstreamAffinityTest.event(String.format("t%05d", i) + PADDING, null)
                        .getBytes(StandardCharsets.UTF_8));
                floodWritten.incrementAndGet();
            }
            if (events == BURST) {
                out.write((UpstreamAffinityTest.event("", "stop") + "data: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
            }
            floodEnded.complete("the upstream wrote all " + events + " events");
        } catch (IOException e) {
            floodEnded.complete("closed");
        }
    }

    static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Sends a streamed chat request on a raw connection that reads nothing (its receive buffer kept small). */
    Socket streamThatIsNeverRead(String prompt) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(16 * 1024);
        socket.connect(gateway.address());
        socket.setSoTimeout(20_000);
        byte[] bytes = ("{\"model\":\"" + MODEL + "\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"" + prompt + "\"}],\"max_tokens\":8192}").getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestKeys.ALL
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
        return socket;
    }

    @Test
    void aClientThatStopsReadingIsCutOffAtTheWriteTimeoutAndTheRequestQueuedBehindItIsServed() throws Exception {
        startGateway(true);
        try (Socket stalled = streamThatIsNeverRead("flood")) {
            InputStream in = stalled.getInputStream();
            assertThat(new String(in.readNBytes(15), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 OK");
            long heldBack = awaitUpstreamHeldBack();

            // The model's one slot is the stalled stream's: this request waits in the queue until it is freed.
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            long asked = System.nanoTime();
            HttpResponse<String> next = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + gateway.address().getPort() + "/v1/chat/completions"))
                    .timeout(WRITE_TIMEOUT.plusSeconds(8))
                    .header("Authorization", "Bearer " + TestKeys.ALL).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(UpstreamAffinityTest.chatRequest("hi", false)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            long answered = System.nanoTime();
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            assertThat(Http.JSON.readTree(next.body()).at("/choices/0/message/content").asText())
                    .isEqualTo("hello there");
            // Served once the stalled stream was cut off: after the write timeout since it was held back, not long
            // after it (the bound), and not at once (the slot was taken: the queue, not a second slot, served it).
            assertThat(Duration.ofNanos(answered - heldBack)).isGreaterThanOrEqualTo(WRITE_TIMEOUT.minusMillis(300))
                    .isLessThan(WRITE_TIMEOUT.plusSeconds(4));
            assertThat(Duration.ofNanos(answered - asked)).isGreaterThan(Duration.ofMillis(300));

            // The upstream was told to stop (its connection closed), not left writing into a held-back connection.
            assertThat(floodEnded.get(5, TimeUnit.SECONDS)).isEqualTo("closed");
            // The client's connection closes after what the buffers held: no last chunk, no [DONE].
            byte[] rest = in.readAllBytes();
            String tail = new String(rest, Math.max(0, rest.length - 64), Math.min(64, rest.length),
                    StandardCharsets.ISO_8859_1);
            assertThat(tail).doesNotContain("[DONE]").doesNotEndWith("0\r\n\r\n");
        }

        // One audit entry for the stream, saying why it ended; the tokens generated until then are billed.
        List<AuditEvent> streams = awaitStreamEntries();
        assertThat(streams).hasSize(1);
        AuditEvent entry = streams.get(0);
        assertThat(entry.outcome()).isEqualTo(AuditEvent.Outcome.FAILED);
        assertThat(entry.detail()).contains("took nothing for 1500 ms").contains("write timeout");
        assertThat(entry.parameters()).containsEntry("status", "200").containsEntry("finishReason", "cancelled");
        int billed = Integer.parseInt(entry.parameters().get("completionTokens"));
        assertThat(billed).isPositive();
        TestKeys.Held held = keys.reservations.stream().filter(h -> h.settled != null
                && h.settled.completionTokens() == billed).findFirst().orElseThrow();
        assertThat(held.closedUnspent).isFalse();
    }

    @Test
    void aStreamAskedForOnAThreadIsRelayedTooAndCutOffAtTheWriteTimeout() throws Exception {
        startGateway(false); // the model is not registered yet: the generation is asked for on a thread that may block
        try (Socket stalled = streamThatIsNeverRead("burst")) {
            InputStream in = stalled.getInputStream();
            assertThat(new String(in.readNBytes(15), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 OK");
            long start = System.nanoTime();
            AuditEvent entry = audit.await(e -> "true".equals(e.parameters().get("stream")));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WRITE_TIMEOUT.plusSeconds(4));
            assertThat(entry.outcome()).isEqualTo(AuditEvent.Outcome.FAILED);
            assertThat(entry.detail()).contains("took nothing for 1500 ms").contains("write timeout");
            assertThat(entry.parameters()).containsEntry("status", "200").containsEntry("finishReason", "cancelled");
            int billed = Integer.parseInt(entry.parameters().get("completionTokens"));
            assertThat(billed).isPositive();
            assertThat(keys.reservations).anyMatch(h -> h.settled != null && h.settled.completionTokens() == billed);
            // Relayed like a ready engine's stream: the upstream was paused, then told to stop, not read to its end
            // into a connection nobody drains.
            assertThat(floodEnded.get(10, TimeUnit.SECONDS)).isEqualTo("closed");
            // Closed after what the buffers held: no last chunk, no [DONE].
            byte[] rest = in.readAllBytes();
            String tail = new String(rest, Math.max(0, rest.length - 64), Math.min(64, rest.length),
                    StandardCharsets.ISO_8859_1);
            assertThat(tail).doesNotContain("[DONE]").doesNotEndWith("0\r\n\r\n");
        }
        assertThat(awaitStreamEntries()).hasSize(1);
    }

    /** Waits until the upstream's writes stop (the daemon no longer reads it); returns when that was seen. */
    long awaitUpstreamHeldBack() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int last = -1;
        while (true) {
            Thread.sleep(200);
            int now = floodWritten.get();
            if (now > 0 && now == last) {
                return System.nanoTime() - 200_000_000L;
            }
            assertThat(System.nanoTime()).as("the upstream was never held back: " + now + " events written")
                    .isLessThan(deadline);
            assertThat(floodEnded).as("the upstream wrote everything: nothing held it back").isNotDone();
            last = now;
        }
    }

    /** The streamed request's audit entries, once at least one is there (entries are appended after the answer). */
    List<AuditEvent> awaitStreamEntries() throws InterruptedException {
        audit.await(e -> "true".equals(e.parameters().get("stream")));
        Thread.sleep(200); // a second entry for the same request would have landed by now
        return audit.events.stream().filter(e -> "true".equals(e.parameters().get("stream"))).toList();
    }
}
