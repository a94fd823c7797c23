package io.aixcl.engine.llama.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * Frames over a connected socket channel: one reader thread, any number of writers (serialised here).
 *
 * <p>The channel is non-blocking, and a reader with nothing to read waits in a {@link Selector} for data, not in a
 * blocking {@code read}. A thread blocked in a Unix socket's {@code read} is woken whenever the peer takes bytes that
 * this end wrote (the kernel wakes every waiter of the socket on "write space", whatever it waits for): the worker's
 * reader, idle while its generation thread streams tokens through the same socket, woke once per frame the parent
 * read, on the cores llama.cpp computes on. epoll wakes a waiter only for the events it asked for.
 */
public final class FrameChannel implements AutoCloseable {

    private final SocketChannel channel;
    private final Object writeLock = new Object();
    /** Bytes read but not yet decoded (read mode): one read takes in whatever frames have arrived, not one field. */
    private final ByteBuffer received = ByteBuffer.allocate(16 << 10).limit(0);
    private final Selector readable;
    /** Opened the first time a write finds the socket full (the peer reads slower than frames come). */
    private volatile Selector writable;

    public FrameChannel(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.readable = Selector.open();
        channel.register(readable, SelectionKey.OP_READ);
    }

    public void write(Frame frame) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(WorkerProtocol.encode(frame));
        synchronized (writeLock) {
            while (buffer.hasRemaining()) {
                if (channel.write(buffer) == 0) {
                    awaitWritable();
                }
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
                readSome(received);
            }
        } finally {
            received.flip();
        }
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            readSome(buffer);
        }
    }

    /** One read that takes at least a byte, waiting for it if none has arrived. */
    private void readSome(ByteBuffer buffer) throws IOException {
        while (true) {
            int n = channel.read(buffer);
            if (n < 0) {
                throw new EOFException("connection closed");
            }
            if (n > 0) {
                return;
            }
            await(readable);
        }
    }

    /** Under the write lock. */
    private void awaitWritable() throws IOException {
        if (writable == null) {
            writable = Selector.open();
            channel.register(writable, SelectionKey.OP_WRITE);
        }
        await(writable);
    }

    private void await(Selector selector) throws IOException {
        try {
            selector.select();
            selector.selectedKeys().clear();
        } catch (ClosedSelectorException e) {
            throw new AsynchronousCloseException();
        }
        if (!channel.isOpen()) {
            throw new AsynchronousCloseException();
        }
    }

    /** Closes the connection; a reader or writer waiting on it gets an {@link AsynchronousCloseException}. */
    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            // Closing a selector wakes a thread waiting in it and deregisters the channel, which lets its socket close.
            readable.close();
            Selector w = writable;
            if (w != null) {
                w.close();
            }
        }
    }
}
