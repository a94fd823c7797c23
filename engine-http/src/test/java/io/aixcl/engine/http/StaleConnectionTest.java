package io.aixcl.engine.http;

import static io.aixcl.engine.http.Transcripts.MODELS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.inference.ChatMessage;
import io.aixcl.core.inference.GenerationRequest;
import io.aixcl.core.inference.InferenceException;
import io.aixcl.core.inference.ModelSpec;
import io.aixcl.core.inference.Prompt;
import io.aixcl.core.inference.SamplingParams;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A kept-alive upstream connection that the upstream closed while it idled (a keep-alive timeout racing the next
 * request): the request that found it closed goes once more, on a new connection; no client sees the race.
 */
class StaleConnectionTest {

    private static final String ANSWER = "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\",\"created\":1,"
            + "\"model\":\"tiny\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
            + "\"Hello there\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,"
            + "\"completion_tokens\":3,\"total_tokens\":12}}";

    /** Keep-alive HTTP/1.1 on raw sockets; hangs up on the first {@code staleHangUps} reused-connection posts. */
    private static final class KeepAliveUpstream implements AutoCloseable {
        final ServerSocket server;
        final List<String> seen = new CopyOnWriteArrayList<>(); // "connection#:METHOD path"
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger hangUps;
        final Thread acceptor;

        KeepAliveUpstream(int staleHangUps) throws IOException {
            server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
            hangUps = new AtomicInteger(staleHangUps);
            acceptor = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        int n = connections.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(s, n));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void serve(Socket socket, int connection) {
            try (socket) {
                InputStream in = socket.getInputStream();
                for (int served = 0; ; served++) {
                    String head = head(in);
                    if (head == null) {
                        return;
                    }
                    String[] line = head.split("\r\n")[0].split(" ");
                    int length = 0;
                    for (String h : head.split("\r\n")) {
                        if (h.toLowerCase().startsWith("content-length:")) {
                            length = Integer.parseInt(h.substring(15).trim());
                        }
                    }
                    in.readNBytes(length);
                    seen.add(connection + ":" + line[0] + " " + line[1]);
                    if (line[0].equals("POST") && served > 0 && hangUps.getAndDecrement() > 0) {
                        return; // closed as if its keep-alive timeout had just passed: the request is unanswered
                    }
                    byte[] body = (line[0].equals("GET") ? MODELS : ANSWER).getBytes(StandardCharsets.UTF_8);
                    socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().write(body);
                    socket.getOutputStream().flush();
                }
            } catch (IOException e) {
                // the client hung up
            }
        }

        private static String head(InputStream in) throws IOException {
            var head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                String s = head.toString(StandardCharsets.US_ASCII);
                if (s.endsWith("\r\n\r\n")) {
                    return s;
                }
            }
            return null;
        }

        @Override
        public void close() throws Exception {
            server.close();
            acceptor.join(Duration.ofSeconds(5));
        }
    }

    private KeepAliveUpstream upstream;
    private OpenAiCompatibleEngine engine;

    @AfterEach
    void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
        upstream.close();
    }

    private void start(int staleHangUps) throws IOException {
        upstream = new KeepAliveUpstream(staleHangUps);
        // One connection at most: the model list's connection is the one the generation finds idle.
        engine = new OpenAiCompatibleEngine(UpstreamConfig.of(java.net.URI.create("http://127.0.0.1:"
                + upstream.server.getLocalPort())).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofSeconds(2)));
        engine.start();
        engine.load(ModelSpec.of("tiny", Path.of("unused")));
    }

    private static GenerationRequest chat() {
        return new GenerationRequest("r1", "tiny", Prompt.chat(ChatMessage.user("Hi")),
                SamplingParams.defaults().withMaxTokens(16));
    }

    @Test
    void aRequestThatFindsItsKeptAliveConnectionClosedGoesOnceMoreOnANewOne() throws Exception {
        start(1);

        assertThat(engine.complete(chat()).text()).isEqualTo("Hello there");
        List<String> posts = upstream.seen.stream().filter(r -> r.contains("POST")).toList();
        assertThat(posts).hasSize(2);
        String first = posts.get(0).split(":")[0];
        String second = posts.get(1).split(":")[0];
        assertThat(upstream.seen).as("the first POST went on a connection that had served the model list")
                .contains(first + ":GET /v1/models");
        assertThat(upstream.seen.indexOf(posts.get(1))).as("the second on a connection of its own")
                .isEqualTo(upstream.seen.stream().filter(r -> r.startsWith(second + ":")).findFirst()
                        .map(upstream.seen::indexOf).orElseThrow());
        int connections = upstream.connections.get();
        // And the new connection is kept in turn.
        assertThat(engine.complete(chat()).text()).isEqualTo("Hello there");
        assertThat(upstream.connections).hasValue(connections);
    }

    @Test
    void onlyOnceAndOnlyOnAKeptAliveConnection() throws Exception {
        start(Integer.MAX_VALUE);

        // The second attempt is on a fresh connection, answered; every later reuse hangs up again, and the retry
        // after it is again on a fresh connection: a stale connection never fails a request.
        assertThat(engine.complete(chat()).text()).isEqualTo("Hello there");
        assertThat(engine.complete(chat()).text()).isEqualTo("Hello there");
        upstream.close();
        assertThatThrownBy(() -> engine.complete(chat()))
                .isInstanceOf(InferenceException.EngineUnavailable.class)
                .hasMessageContaining("cannot connect");
    }
}
