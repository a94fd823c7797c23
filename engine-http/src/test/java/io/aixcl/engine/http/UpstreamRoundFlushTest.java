package io.aixcl.engine.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request sent from the event loop is written at once and flushed when the loop has handled its round, with the
 * round's other requests: an upstream asleep is woken once for them. It must still leave by itself once the round ends.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpstreamRoundFlushTest {

    private final EventLoopGroup loops = new NioEventLoopGroup(1);
    private final CountDownLatch roundMayEnd = new CountDownLatch(1);

    @AfterEach
    void stop() {
        roundMayEnd.countDown();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void aRequestSentInsideARoundLeavesWhenTheRoundEnds() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            EventLoop loop = loops.next();
            LoopConnections pool = new LoopConnections(loop, new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    server.getLocalPort()), null, 1, Duration.ofSeconds(2), Duration.ofSeconds(30));
            CompletableFuture<Throwable> first = PoolExchanges.send(pool);
            try (Socket upstream = server.accept()) {
                InputStream in = upstream.getInputStream();
                PoolExchanges.readHead(in);
                answer(upstream);
                assertThat(first.get(5, TimeUnit.SECONDS)).isNull();

                // The kept-alive connection carries the second request; the loop stays in its round after sending.
                CompletableFuture<CompletableFuture<Throwable>> second = new CompletableFuture<>();
                loop.execute(() -> {
                    second.complete(PoolExchanges.send(pool));
                    try {
                        roundMayEnd.await(20, TimeUnit.SECONDS); // the rest of a busy round
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                upstream.setSoTimeout(300);
                assertThatThrownBy(in::read).as("the request reached the upstream inside the loop's round")
                        .isInstanceOf(SocketTimeoutException.class);
                roundMayEnd.countDown();
                upstream.setSoTimeout(10_000);
                assertThat(PoolExchanges.readHead(in)).startsWith("GET /v1/models HTTP/1.1");
                answer(upstream);
                assertThat(second.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS)).isNull();
            }
        }
    }

    private static void answer(Socket upstream) throws IOException {
        upstream.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
    }
}
