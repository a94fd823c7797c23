package io.aixcl.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stream to a client that stops reading: the writing thread waits (or, for a stream pushed from the event loop, the
 * source is paused) once the connection's buffers are full, instead of queueing the whole stream in the daemon's
 * memory; it goes on when the client reads, and every byte arrives in order. A client that leaves mid-stream fails
 * the next write and runs the channel's client-gone actions. A client that takes nothing for the write timeout is cut
 * off: the source is told, and the connection closes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamBackPressureTest {

    static final int CHUNKS = 4000;
    static final int CHUNK = 1024;

    EventLoopGroup loops;
    Channel server;
    final AtomicInteger written = new AtomicInteger();
    final CompletableFuture<Throwable> ended = new CompletableFuture<>();
    final CompletableFuture<Void> gone = new CompletableFuture<>();
    final AtomicInteger pauses = new AtomicInteger();
    /** When the channel cut the pushed stream's client off, and the timeout it gave. */
    final CompletableFuture<Duration> stalled = new CompletableFuture<>();
    volatile long stalledAt;
    /** Long past the 1 s the held-back tests read nothing; short for the tests of the cut-off. */
    Duration writeTimeout = Duration.ofSeconds(30);

    /**
     * Pushes the same chunks from the event loop, as a relayed stream's engine callbacks do: eight chunks a round (an
     * upstream read), the next round queued on the loop unless the channel paused it, resumed by the channel.
     */
    final class Pusher implements GatewayConnection.Dispatch {
        NettyChannel channel;
        EventExecutor loop;
        int next;
        volatile boolean paused;

        @Override
        public void handle(NettyChannel channel, byte[] body, boolean tooLarge) {
            this.channel = channel;
            for (EventExecutor executor : loops) {
                if (executor.inEventLoop()) {
                    loop = executor;
                }
            }
            channel.onClientGone(() -> gone.complete(null));
            channel.startStream("text/event-stream");
            channel.backPressure(() -> {
                paused = true;
                pauses.incrementAndGet();
            }, () -> {
                paused = false;
                loop.execute(this::round);
            }, waited -> {
                // As the relay does: the source ends here (the channel closes the connection after).
                stalledAt = System.nanoTime();
                stalled.complete(waited);
                ended.complete(new IOException("cut off"));
                channel.finishStream();
                channel.connection().done(channel);
            });
            loop.execute(this::round);
        }

        void round() {
            if (paused || ended.isDone()) {
                return;
            }
            try {
                for (int k = 0; k < 8 && next < CHUNKS; k++) {
                    channel.push(chunk(next++));
                    written.incrementAndGet();
                }
            } catch (IOException e) {
                ended.complete(e);
                channel.finishStream();
                channel.connection().done(channel);
                return;
            }
            if (next == CHUNKS) {
                channel.end(new byte[0]);
                ended.complete(null);
                channel.connection().done(channel);
                return;
            }
            loop.execute(this::round);
        }
    }

    static byte[] chunk(int i) {
        byte[] bytes = new byte[CHUNK];
        Arrays.fill(bytes, (byte) ('a' + i % 26));
        byte[] number = String.format("%04d", i).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(number, 0, bytes, 0, number.length);
        return bytes;
    }

    void serve(GatewayConnection.Dispatch dispatch) {
        server.close().syncUninterruptibly();
        server = bind(dispatch);
    }

    @BeforeEach
    void start() {
        loops = GatewayTransport.newLoops("test-gateway");
        server = bind(new Pusher());
    }

    Channel bind(GatewayConnection.Dispatch dispatch) {
        return new ServerBootstrap().group(loops).channel(GatewayTransport.serverChannel(loops))
                // Small kernel buffers, so what the client does not read backs up into the gateway quickly.
                .childOption(ChannelOption.SO_SNDBUF, 16 * 1024)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new GatewayConnection(dispatch, 4096, writeTimeout));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    @AfterEach
    void stop() {
        server.close().syncUninterruptibly();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    Socket request() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(16 * 1024);
        socket.connect(server.localAddress());
        socket.setSoTimeout(20_000);
        OutputStream out = socket.getOutputStream();
        out.write("GET /stream HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return socket;
    }

    @Test
    void aPushedStreamIsPausedWhileTheClientDoesNotReadAndResumedUntilEveryByteArrivesInOrder() throws Exception {
        Pusher pusher = new Pusher();
        serve(pusher);
        heldBackThenEverything();
        assertThat(pauses.get()).as("times the channel paused the pushed stream").isPositive();
        assertThat(pusher.paused).isFalse();
    }

    void heldBackThenEverything() throws Exception {
        try (Socket socket = request()) {
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes(15), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 OK");
            Thread.sleep(1000);
            // 4 MB asked for; the writer waits after the socket buffers and Netty's high-water mark (64 KB) fill up.
            int whileNotReading = written.get();
            assertThat(whileNotReading).isLessThan(CHUNKS / 4);
            assertThat(ended).isNotDone();

            String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            int at = rest.indexOf("\r\n\r\n") + 4;
            StringBuilder expected = new StringBuilder();
            for (int i = 0; i < CHUNKS; i++) {
                expected.append(new String(chunk(i), StandardCharsets.ISO_8859_1));
            }
            assertThat(dechunk(rest.substring(at))).isEqualTo(expected.toString());
            assertThat(ended.get(10, TimeUnit.SECONDS)).isNull();
            assertThat(written.get()).isEqualTo(CHUNKS);
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the stream did not end; " + written.get() + " chunks written", e);
        }
    }

    @Test
    void aClientThatLeavesAPushedStreamRunsItsClientGoneActionsAndThePushesStop() throws Exception {
        serve(new Pusher());
        try (Socket socket = request()) {
            socket.getInputStream().readNBytes(4096);
        }
        // The relay cancels its generation here; the source, paused or failing its pushes, pushes no more.
        gone.get(10, TimeUnit.SECONDS);
        Thread.sleep(200);
        int stopped = written.get();
        Thread.sleep(300);
        assertThat(written.get()).isEqualTo(stopped).isLessThan(CHUNKS);
    }

    @Test
    void aPushedStreamWhoseClientTakesNothingForTheWriteTimeoutIsCutOffAndItsConnectionClosed() throws Exception {
        writeTimeout = Duration.ofMillis(700);
        serve(new Pusher());
        try (Socket socket = request()) {
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes(15), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 OK");
            long paused = awaitFirstPause();
            assertThat(stalled.get(5, TimeUnit.SECONDS)).isEqualTo(writeTimeout);
            assertThat(Duration.ofNanos(stalledAt - paused)).as("cut off after the write timeout, not before")
                    .isGreaterThanOrEqualTo(writeTimeout.minusMillis(50));
            int cutOff = written.get();
            // What the buffers held, then the end of the connection: no last chunk, the stream incomplete.
            String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(rest).doesNotEndWith("0\r\n\r\n");
            Thread.sleep(300);
            assertThat(written.get()).as("pushes after the cut-off").isEqualTo(cutOff).isLessThan(CHUNKS);
            assertThat(pauses.get()).isEqualTo(1);
        }
    }

    @Test
    void aClientThatReadsAgainWithinTheWriteTimeoutIsNotCutOff() throws Exception {
        writeTimeout = Duration.ofMillis(1500);
        serve(new Pusher());
        try (Socket socket = request()) {
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes(15), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200 OK");
            awaitFirstPause();
            Thread.sleep(1000);
            // Reading slowly, a buffer's worth every 300 ms: the connection drains and pauses again, each pause
            // shorter than the timeout, which each drain starts over.
            long until = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < until) {
                assertThat(in.readNBytes(64 * 1024)).hasSize(64 * 1024);
                Thread.sleep(300);
            }
            assertThat(stalled).isNotDone();
            assertThat(pauses.get()).isGreaterThan(1);
            in.readAllBytes();
            assertThat(ended.get(10, TimeUnit.SECONDS)).isNull();
            assertThat(written.get()).isEqualTo(CHUNKS);
        }
    }

    /** Waits for the pushed stream's first pause; returns when it was seen. */
    long awaitFirstPause() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (pauses.get() == 0) {
            assertThat(System.nanoTime()).as("the stream was never paused").isLessThan(deadline);
            Thread.sleep(1);
        }
        return System.nanoTime();
    }

    /** The body of a chunked HTTP/1.1 response (the connection closes after the last chunk here). */
    static String dechunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
