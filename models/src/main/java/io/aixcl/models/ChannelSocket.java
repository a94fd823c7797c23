package io.aixcl.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * The sockets HttpClient connects for {@link SafeHttp}: a {@link SocketChannel}'s socket (its stream reads as much as
 * asked in one system call; a plain {@code Socket}'s stops at 128 KiB), with one addition. A body read into a direct
 * buffer ({@link #readInto}) lands there straight from the channel: HttpClient reads a body into the caller's array
 * itself when its own buffer is empty (its "bypass" for large reads), and when that array is the marker passed here,
 * this socket's stream reads the channel into the direct buffer instead and reports the count to HttpClient as usual.
 * HttpClient still does all of HTTP (framing, lengths, chunks, keep-alive); only the bytes skip two copies through
 * Java arrays (the JDK's own direct buffer into the array on the read, and the array into another direct buffer on the
 * file write). Bytes that HttpClient copies itself (what it read with the head, or decrypted TLS) arrive in the marker
 * array, and {@link #readInto} moves them.
 *
 * <p>The direct reads are not bounded by the socket's timeout (a channel's read ignores it); the store's
 * {@link StallWatchdog} breaks a silent one by closing the socket, as it does any other.
 */
final class ChannelSocket extends Socket {
    /** What a direct read on this thread fills: set around one read of HttpClient's body stream. */
    private static final ThreadLocal<Target> TARGET = new ThreadLocal<>();

    private final SocketChannel channel;
    private final Socket adaptor;
    private volatile InputStream in;

    /** One direct read's state, reused across a response's reads. */
    static final class Target {
        private final byte[] marker;
        private ByteBuffer dst;
        private int delivered;
        private boolean drained;

        /** {@code scratch} receives what HttpClient copies itself; it also marks the reads to redirect. */
        Target(byte[] scratch) {
            this.marker = scratch;
        }

        /**
         * Whether the last read took all the socket had: the channel gave fewer bytes than it was asked for (asked
         * for less than the caller's buffer when a body or a chunk ends there, it does not count as drained).
         */
        boolean drained() {
            return drained;
        }
    }

    /** A body stream's read, reading {@code body}'s next bytes into the direct {@code dst}. */
    interface BodyRead {
        int read(byte[] b, int off, int len) throws IOException;
    }

    ChannelSocket() throws IOException {
        this.channel = SocketChannel.open();
        this.adaptor = channel.socket();
    }

    /**
     * Reads up to {@code len} bytes of a body into the direct buffer {@code dst} through {@code body} (HttpClient's
     * body stream); {@code t}'s scratch array receives what HttpClient copies itself (at most {@code len} bytes, so on
     * TLS {@code len} must not exceed it; on plain http HttpClient copies at most what it buffered with the head).
     * Returns the count, or -1 at the end of the body.
     */
    static int readInto(BodyRead body, ByteBuffer dst, int len, Target t) throws IOException {
        byte[] scratch = t.marker;
        t.dst = dst;
        t.delivered = 0;
        t.drained = false;
        int start = dst.position();
        int n;
        TARGET.set(t);
        try {
            n = body.read(scratch, 0, Math.min(len, dst.remaining()));
        } finally {
            TARGET.remove();
            t.dst = null;
        }
        if (n <= 0) {
            return n;
        }
        if (t.delivered == 0) {
            dst.put(scratch, 0, n); // HttpClient's own copy: buffered with the head, or decrypted
        } else if (t.delivered != n || dst.position() != start + n) {
            throw new IOException("body read mismatch: the socket delivered " + t.delivered + " bytes, the client counted " + n);
        }
        return n;
    }

    private final class In extends InputStream {
        private final InputStream timed; // the adaptor's: honours the socket timeout

        In(InputStream timed) {
            this.timed = timed;
        }

        @Override
        public int read() throws IOException {
            return timed.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Target t = TARGET.get();
            if (t == null || b != t.marker || len == 0) {
                return timed.read(b, off, len);
            }
            ByteBuffer dst = t.dst;
            int limit = dst.limit();
            // Never past len: HttpClient asks for what is left of the body, and the next response may follow it.
            int want = Math.min(len, dst.remaining());
            dst.limit(dst.position() + want);
            int n;
            try {
                n = channel.read(dst);
            } finally {
                dst.limit(limit);
            }
            if (n > 0) {
                t.delivered += n;
            }
            t.drained = n >= 0 && n < want;
            return n;
        }

        @Override
        public int available() throws IOException {
            return timed.available();
        }

        @Override
        public void close() throws IOException {
            timed.close();
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        InputStream s = in;
        if (s == null) {
            synchronized (this) {
                if (in == null) {
                    in = new In(adaptor.getInputStream());
                }
                s = in;
            }
        }
        return s;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        return adaptor.getOutputStream();
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        adaptor.connect(endpoint);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        adaptor.connect(endpoint, timeout);
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        adaptor.bind(bindpoint);
    }

    @Override
    public InetAddress getInetAddress() {
        return adaptor.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return adaptor.getLocalAddress();
    }

    @Override
    public int getPort() {
        return adaptor.getPort();
    }

    @Override
    public int getLocalPort() {
        return adaptor.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return adaptor.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return adaptor.getLocalSocketAddress();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        adaptor.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return adaptor.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        adaptor.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return adaptor.getSoLinger();
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        adaptor.sendUrgentData(data);
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        adaptor.setOOBInline(on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return adaptor.getOOBInline();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        adaptor.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return adaptor.getSoTimeout();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        adaptor.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return adaptor.getSendBufferSize();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        adaptor.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return adaptor.getReceiveBufferSize();
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        adaptor.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return adaptor.getKeepAlive();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        adaptor.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return adaptor.getTrafficClass();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        adaptor.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return adaptor.getReuseAddress();
    }

    @Override
    public void close() throws IOException {
        adaptor.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        adaptor.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        adaptor.shutdownOutput();
    }

    @Override
    public boolean isConnected() {
        return adaptor.isConnected();
    }

    @Override
    public boolean isBound() {
        return adaptor.isBound();
    }

    @Override
    public boolean isClosed() {
        return adaptor.isClosed();
    }

    @Override
    public boolean isInputShutdown() {
        return adaptor.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return adaptor.isOutputShutdown();
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        adaptor.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return adaptor.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return adaptor.supportedOptions();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        adaptor.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override
    public String toString() {
        return adaptor.toString();
    }
}
