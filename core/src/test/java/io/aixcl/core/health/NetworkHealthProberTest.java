package io.aixcl.core.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.core.engine.FakeContainerEngine;
import io.aixcl.core.stack.HealthCheck;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The HTTP probe against a real loopback socket: status codes, garbage, silence, nothing listening. */
class NetworkHealthProberTest {
    private final NetworkHealthProber prober = new NetworkHealthProber(new FakeContainerEngine());

    /** Serves one connection with {@code answer} (null: accept and say nothing), recording the request line. */
    private static int serveOnce(String answer, AtomicReference<String> requestLine) throws IOException {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try (server; Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                StringBuilder line = new StringBuilder();
                for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
                    line.append((char) c);
                }
                requestLine.set(line.toString().strip());
                if (answer == null) {
                    Thread.sleep(2000);
                    return;
                }
                s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException | InterruptedException e) {
                // The test sees what the prober saw.
            }
        });
        return server.getLocalPort();
    }

    private HealthProber.ProbeResult probe(int port, String path, Duration timeout) {
        return prober.probe("id", new HealthCheck.Http("http://127.0.0.1:" + port + path), timeout);
    }

    @Test
    void twoHundredIsHealthyAndTheRequestIsAPlainGet() throws IOException {
        AtomicReference<String> request = new AtomicReference<>();
        int port = serveOnce("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", request);
        HealthProber.ProbeResult r = probe(port, "/health?x=1", Duration.ofSeconds(2));
        assertThat(r.healthy()).isTrue();
        assertThat(r.detail()).isEqualTo("HTTP 200");
        assertThat(request.get()).isEqualTo("GET /health?x=1 HTTP/1.1");
    }

    @Test
    void redirectIsHealthyAndServerErrorIsNot() throws IOException {
        AtomicReference<String> request = new AtomicReference<>();
        assertThat(probe(serveOnce("HTTP/1.0 302 Found\r\nLocation: /x\r\n\r\n", request), "/", Duration.ofSeconds(2))
                .healthy()).isTrue();
        HealthProber.ProbeResult r = probe(serveOnce("HTTP/1.1 503 Unavailable\r\n\r\n", request), "",
                Duration.ofSeconds(2));
        assertThat(r.healthy()).isFalse();
        assertThat(r.detail()).isEqualTo("HTTP 503");
        assertThat(request.get()).isEqualTo("GET / HTTP/1.1");
    }

    @Test
    void garbageSilenceAndNothingListeningAreUnhealthy() throws IOException {
        AtomicReference<String> request = new AtomicReference<>();
        assertThat(probe(serveOnce("SSH-2.0-OpenSSH\r\n", request), "/", Duration.ofSeconds(2)).detail())
                .contains("not an HTTP response");
        long t0 = System.nanoTime();
        HealthProber.ProbeResult silent = probe(serveOnce(null, request), "/", Duration.ofMillis(200));
        assertThat(silent.healthy()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1500));
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        HealthProber.ProbeResult refused = probe(closed, "/health", Duration.ofSeconds(1));
        assertThat(refused.healthy()).isFalse();
        assertThat(refused.detail()).startsWith("http://127.0.0.1:" + closed + "/health: ");
    }
}
