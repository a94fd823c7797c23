package io.aixcl.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A pooled upstream connection is closed once idle for the eviction time, never while it carries an exchange. */
class IdleEvictionTest {

    private static final Duration EVICTION = Duration.ofMillis(300);

    private final EventLoopGroup loops = new NioEventLoopGroup(1);
    private ServerSocket server;

    @AfterEach
    void stop() throws IOException {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (server != null) {
            server.close();
        }
    }

    /**
     * One keep-alive connection answering one request after {@code delay}; completes with how long after the answer
     * the client closed the connection.
     */
    private CompletableFuture<Duration> upstream(Duration delay) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        CompletableFuture<Duration> closedAfter = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                PoolExchanges.readHead(in);
                Thread.sleep(delay);
                socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
                long answered = System.nanoTime();
                int next = in.read(); // the client's close, or a second request
                closedAfter.complete(next < 0 ? Duration.ofNanos(System.nanoTime() - answered) : null);
            } catch (IOException | InterruptedException e) {
                closedAfter.completeExceptionally(e);
            }
        });
        return closedAfter;
    }

    private LoopConnections pool() {
        return new LoopConnections(loops.next(), new InetSocketAddress(InetAddress.getLoopbackAddress(),
                server.getLocalPort()), null, 1, Duration.ofSeconds(2), EVICTION);
    }

    @Test
    void anIdleConnectionIsClosedAfterTheEvictionTime() throws Exception {
        CompletableFuture<Duration> closedAfter = upstream(Duration.ZERO);

        assertThat(PoolExchanges.send(pool()).get(5, TimeUnit.SECONDS)).isNull();

        assertThat(closedAfter.get(5, TimeUnit.SECONDS)).isNotNull()
                .isBetween(EVICTION.minusMillis(50), EVICTION.multipliedBy(4));
    }

    @Test
    void aConnectionWaitingLongerThanTheEvictionTimeForItsAnswerIsKept() throws Exception {
        CompletableFuture<Duration> closedAfter = upstream(EVICTION.multipliedBy(3)); // reads nothing meanwhile

        assertThat(PoolExchanges.send(pool()).get(5, TimeUnit.SECONDS)).as("the exchange completes").isNull();
        assertThat(closedAfter.get(5, TimeUnit.SECONDS)).as("then the idle connection is evicted").isNotNull();
    }
}
