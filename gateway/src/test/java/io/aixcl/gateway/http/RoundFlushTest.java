package io.aixcl.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Answers given on the event loop are written at once but flushed when the loop has handled the round it read: a busy
 * loop's answers then leave together, and a client asleep is woken once for them rather than once each. Each test
 * holds the loop inside its round after answering: nothing may reach the client meanwhile. Once the round ends the
 * answers must come by themselves, with nothing more read, in the order they were given.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RoundFlushTest {

    private static final String REQUEST = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Length: 2\r\n\r\n{}";

    EventLoopGroup loops;
    Channel server;
    /** Released by the test once it saw the client receive nothing while the loop was still in its round. */
    final CountDownLatch roundMayEnd = new CountDownLatch(1);
    final AtomicInteger served = new AtomicInteger();

    @BeforeEach
    void start() {
        loops = GatewayTransport.newLoops("test-round");
    }

    @AfterEach
    void stop() {
        roundMayEnd.countDown();
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aWholeAnswerLeavesWhenTheRoundEndsNotBefore() throws Exception {
        serve(channel -> channel.json(200, "{\"ok\":1}".getBytes(StandardCharsets.US_ASCII)), 1);

        String answer = exchange(REQUEST, "{\"ok\":1}");

        assertThat(answer).startsWith("HTTP/1.1 200 OK").endsWith("{\"ok\":1}");
    }

    @Test
    void aStreamLeavesWithItsEndInOneChunkWhenTheRoundEnds() throws Exception {
        serve(channel -> {
            channel.startStream("text/event-stream");
            try {
                channel.push("data: a\n\n".getBytes(StandardCharsets.US_ASCII), 0, 9);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            channel.end("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        }, 1);

        String answer = exchange(REQUEST, "0\r\n\r\n");

        assertThat(answer).startsWith("HTTP/1.1 200 OK").contains("Transfer-Encoding: chunked")
                .contains("\r\n17\r\ndata: a\n\ndata: [DONE]\n\n\r\n0\r\n\r\n");
    }

    @Test
    void pipelinedRequestsReadInOneRoundLeaveTogetherInOrder() throws Exception {
        serve(channel -> channel.json(200, ("{\"n\":" + served.incrementAndGet() + "}")
                .getBytes(StandardCharsets.US_ASCII)), 2);

        String answers = exchange(REQUEST + REQUEST, "{\"n\":2}");

        assertThat(served.get()).isEqualTo(2);
        assertThat(answers.indexOf("{\"n\":1}")).isPositive().isLessThan(answers.indexOf("{\"n\":2}"));
    }

    /** Serves with {@code answer}; after the {@code holdAfter}-th request the loop stays in its round until released. */
    private void serve(java.util.function.Consumer<NettyChannel> answer, int holdAfter) {
        AtomicInteger requests = new AtomicInteger();
        GatewayConnection.Dispatch dispatch = (channel, body, tooLarge) -> {
            answer.accept(channel);
            channel.connection().done(channel);
            if (requests.incrementAndGet() == holdAfter) {
                try {
                    roundMayEnd.await(20, TimeUnit.SECONDS); // the rest of a busy round: other connections' reads
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        server = new ServerBootstrap().group(loops).channel(GatewayTransport.serverChannel(loops))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(),
                                new GatewayConnection(dispatch, 1024, Duration.ofSeconds(30)));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    /** Sends {@code requests}, sees nothing arrive while the round is held, then reads up to {@code last}. */
    private String exchange(String requests, String last) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(server.localAddress());
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            socket.setSoTimeout(300);
            assertThatThrownBy(in::read).as("bytes reached the client inside the loop's round")
                    .isInstanceOf(SocketTimeoutException.class);
            roundMayEnd.countDown();
            socket.setSoTimeout(10_000);
            StringBuilder answer = new StringBuilder();
            while (!answer.toString().endsWith(last)) {
                int b = in.read();
                assertThat(b).as("the connection ended before the answer did: " + answer).isNotNegative();
                answer.append((char) b);
            }
            return answer.toString();
        }
    }
}
