package io.aixcl.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stream to a client that stops reading: the writing thread waits once the connection's buffers are full, instead
 * of queueing the whole stream in the daemon's memory; it goes on when the client reads, and every byte arrives in
 * order. A client that leaves mid-stream fails the next write and runs the channel's client-gone actions.
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

    /** Streams CHUNKS chunks of CHUNK bytes ("0000...", "0001...") from a virtual thread, as a generation would. */
    final class Streamer implements GatewayConnection.Dispatch {
        @Override
        public void handle(NettyChannel channel, byte[] body, boolean tooLarge) {
            channel.onClientGone(() -> gone.complete(null));
            Thread.ofVirtual().start(() -> {
                try {
                    channel.startStream("text/event-stream");
                    for (int i = 0; i < CHUNKS; i++) {
                        channel.chunk(chunk(i));
                        written.incrementAndGet();
                    }
                    channel.end(new byte[0]);
                    ended.complete(null);
                } catch (IOException | RuntimeException e) {
                    ended.complete(e);
                    channel.finishStream();
                } finally {
                    channel.connection().done(channel);
                }
            });
        }
    }

    static byte[] chunk(int i) {
        byte[] bytes = new byte[CHUNK];
        Arrays.fill(bytes, (byte) ('a' + i % 26));
        byte[] number = String.format("%04d", i).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(number, 0, bytes, 0, number.length);
        return bytes;
    }

    @BeforeEach
    void start() {
        loops = GatewayTransport.newLoops("test-gateway");
        server = new ServerBootstrap().group(loops).channel(GatewayTransport.serverChannel(loops))
                // Small kernel buffers, so what the client does not read backs up into the gateway quickly.
                .childOption(ChannelOption.SO_SNDBUF, 16 * 1024)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new GatewayConnection(new Streamer(), 4096));
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
    void aClientThatStopsReadingHoldsTheWriterBackAndGetsEveryByteWhenItReads() throws Exception {
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
    void aClientThatLeavesMidStreamFailsTheNextWriteAndRunsItsClientGoneActions() throws Exception {
        try (Socket socket = request()) {
            socket.getInputStream().readNBytes(4096);
        }
        gone.get(10, TimeUnit.SECONDS);
        assertThat(ended.get(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
        assertThat(written.get()).isLessThan(CHUNKS);
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
