package io.aixcl.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.engine.llama.protocol.Frame;
import io.aixcl.engine.llama.protocol.FrameChannel;
import io.aixcl.engine.llama.protocol.WorkerProtocol;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Frames over a real Unix socket, arriving many to a read or one across many reads. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FrameChannelTest {

    @TempDir
    Path dir;

    @Test
    void framesThatArriveTogetherOrSplitAreReadOneByOneInOrder() throws Exception {
        List<Frame> sent = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            sent.add(new Frame.Token(i, " token " + i));
        }
        // Larger than the read buffer: its body spans many reads.
        sent.add(new Frame.Generate(7, "tiny", "x".repeat(100_000), List.of(), 0, 1, 16, List.of(), false, 0));
        sent.add(new Frame.Done(7, "STOP", 3, 500));
        var wire = new ByteArrayOutputStream();
        sent.forEach(frame -> wire.writeBytes(WorkerProtocol.encode(frame)));
        byte[] bytes = wire.toByteArray();

        try (var pair = SocketPair.open(dir.resolve("f.sock"))) {
            var frames = new FrameChannel(pair.reader());
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    // Odd-sized pieces, so frame boundaries fall anywhere in a read.
                    for (int at = 0; at < bytes.length; at += 1_777) {
                        pair.writer().write(ByteBuffer.wrap(bytes, at, Math.min(1_777, bytes.length - at)));
                    }
                    pair.writer().close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            List<Frame> received = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) {
                received.add(frames.read());
            }
            writer.join();

            assertThat(received).isEqualTo(sent);
            assertThatThrownBy(frames::read).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void aConnectionThatEndsInsideAFrameIsAnEndNotAFrame() throws Exception {
        byte[] token = WorkerProtocol.encode(new Frame.Token(1, "cut short"));
        try (var pair = SocketPair.open(dir.resolve("g.sock"))) {
            pair.writer().write(ByteBuffer.wrap(token, 0, token.length - 3));
            pair.writer().close();

            assertThatThrownBy(new FrameChannel(pair.reader())::read).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void aReaderWaitingForFramesIsNotWokenEachTimeThePeerTakesWhatThisEndWrote() throws Exception {
        try (var pair = SocketPair.open(dir.resolve("h.sock"))) {
            var here = new FrameChannel(pair.reader());
            var there = new FrameChannel(pair.writer());
            var read = new CompletableFuture<Frame>();
            long[] woken = new long[1];
            // As in the worker: one thread waits for the parent's next request while another streams tokens out.
            Thread reader = Thread.ofPlatform().start(() -> {
                long before = voluntarySwitches();
                try {
                    read.complete(here.read());
                } catch (Exception e) {
                    read.completeExceptionally(e);
                }
                woken[0] = voluntarySwitches() - before;
            });
            Thread.sleep(200); // the reader is waiting
            for (int i = 0; i < 300; i++) {
                here.write(new Frame.Token(i, "t"));
                assertThat(there.read()).isEqualTo(new Frame.Token(i, "t"));
                Thread.sleep(0, 200_000); // the reader, had it been woken, is back asleep
            }
            there.write(new Frame.Cancel(9));
            reader.join();

            assertThat(read.get()).isEqualTo(new Frame.Cancel(9));
            // A blocking read was woken by every frame the peer took: ~300 switches here.
            assertThat(woken[0]).isLessThan(30);
        }
    }

    @Test
    void closingWakesAReaderThatWaits() throws Exception {
        try (var pair = SocketPair.open(dir.resolve("i.sock"))) {
            var frames = new FrameChannel(pair.reader());
            var read = new CompletableFuture<Frame>();
            Thread.ofPlatform().start(() -> {
                try {
                    read.complete(frames.read());
                } catch (Exception e) {
                    read.completeExceptionally(e);
                }
            });
            Thread.sleep(200);
            frames.close();

            assertThatThrownBy(() -> read.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(AsynchronousCloseException.class);
            // The socket itself closed too (a selector keeps it open until it lets the channel go): the peer sees the end.
            assertThat(pair.writer().read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
    }

    /** This thread's voluntary context switches (Linux). */
    private static long voluntarySwitches() {
        try {
            return Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
                    .filter(line -> line.startsWith("voluntary_ctxt_switches:"))
                    .mapToLong(line -> Long.parseLong(line.substring(line.indexOf(':') + 1).strip()))
                    .findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private record SocketPair(SocketChannel reader, SocketChannel writer) implements AutoCloseable {
        static SocketPair open(Path socket) throws Exception {
            try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(socket));
                SocketChannel writer = SocketChannel.open(UnixDomainSocketAddress.of(socket));
                return new SocketPair(server.accept(), writer);
            }
        }

        @Override
        public void close() throws Exception {
            reader.close();
            writer.close();
        }
    }
}
