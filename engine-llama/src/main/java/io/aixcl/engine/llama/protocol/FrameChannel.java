package io.aixcl.engine.llama.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Frames over a connected socket channel: one reader thread, any number of writers (serialised here).
 *
 * <p>Reads and writes go to the channel directly rather than through {@code Channels.newInputStream}, whose
 * streams may share the channel's blocking lock: a reader parked in {@code read} would then block every writer.
 */
public final class FrameChannel implements AutoCloseable {

    private final SocketChannel channel;
    private final Object writeLock = new Object();
    /** Bytes read but not yet decoded (read mode): one read takes in whatever frames have arrived, not one field. */
    private final ByteBuffer received = ByteBuffer.allocate(16 << 10).limit(0);

    public FrameChannel(SocketChannel channel) {
        this.channel = channel;
    }

    public void write(Frame frame) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(WorkerProtocol.encode(frame));
        synchronized (writeLock) {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    /** The next frame; throws EOFException when the peer closed the connection. */
    public Frame read() throws IOException {
        fill(4);
        int length = WorkerProtocol.checkLength(received.getInt());
        byte[] body = new byte[length];
        int buffered = Math.min(length, received.remaining());
        received.get(body, 0, buffered);
        if (buffered < length) {
            // A frame larger than what arrived with it (a long prompt): the rest straight into its own array.
            readFully(ByteBuffer.wrap(body, buffered, length - buffered));
        }
        return WorkerProtocol.decode(body);
    }

    /** Reads until at least {@code bytes} are buffered. */
    private void fill(int bytes) throws IOException {
        if (received.remaining() >= bytes) {
            return;
        }
        received.compact();
        try {
            while (received.position() < bytes) {
                if (channel.read(received) < 0) {
                    throw new EOFException("connection closed");
                }
            }
        } finally {
            received.flip();
        }
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("connection closed");
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
