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
    private final ByteBuffer header = ByteBuffer.allocate(4);

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
        header.clear();
        readFully(header);
        int length = WorkerProtocol.checkLength(header.getInt(0));
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(body);
        return WorkerProtocol.decode(body.array());
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
