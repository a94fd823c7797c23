package io.aixcl.cli.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over a Unix socket, for one known server (aixcld). Written by hand because the
 * CLI's budget is its start time: a general HTTP client costs more to load than a status request takes.
 * Supports Content-Length and chunked bodies; one request per connection.
 */
public final class UnixHttp {
    private UnixHttp() {}

    public record Response(int status, Map<String, String> headers, InputStream body, SocketChannel channel)
            implements AutoCloseable {
        public String bodyText() throws IOException {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            UnixHttp.close(channel);
        }
    }

    public static Response send(Path socket, String method, String path, byte[] body) throws IOException {
        return request(socket, method, path, body).response();
    }

    /** A request written to the daemon whose response has not been read yet. */
    public record Sent(SocketChannel channel) implements AutoCloseable {
        /** Reads the status line and headers (waits for the daemon's first bytes). */
        public Response response() throws IOException {
            return readResponse(channel);
        }

        @Override
        public void close() throws IOException {
            UnixHttp.close(channel);
        }
    }

    /**
     * Closes {@code ch} in non-blocking mode. A blocking channel's close first asks {@code sun.nio.ch.Net} whether to
     * shut a TCP connection's output down before closing, and that class's initialisation (the platform's extended
     * socket options, a native library, {@code InetAddress}) was ~2 ms of a status command, for a question that has
     * no meaning on a Unix socket. In non-blocking mode the close just closes the descriptor (no selector is
     * involved here). For the thread that reads the channel: switching modes waits for a read in progress, so a
     * close meant to interrupt another thread's blocked read would wait for it (the CLI has none).
     */
    static void close(SocketChannel ch) throws IOException {
        try {
            ch.configureBlocking(false);
        } catch (IOException e) {
            // closed already, or cannot switch: close as it is
        }
        ch.close();
    }

    /**
     * Connects and writes the request, without waiting for the answer: the caller can do other work while the
     * daemon does the request's. If this throws, the daemon did not get a whole request.
     */
    public static Sent request(Path socket, String method, String path, byte[] body) throws IOException {
        SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        try {
            StringBuilder head = new StringBuilder(128).append(method).append(' ').append(path)
                    .append(" HTTP/1.1\r\nHost: aixcld\r\nConnection: close\r\nAccept: application/json\r\n");
            if (body != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
            ByteBuffer buf = ByteBuffer.allocate(h.length + (body == null ? 0 : body.length));
            buf.put(h);
            if (body != null) {
                buf.put(body);
            }
            buf.flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            return new Sent(ch);
        } catch (IOException | RuntimeException e) {
            close(ch);
            throw e;
        }
    }

    private static Response readResponse(SocketChannel ch) throws IOException {
        try {
            InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 16384);
            String status = readLine(in);
            if (status == null || !status.startsWith("HTTP/1.")) {
                throw new IOException("the daemon sent no HTTP response");
            }
            int code = Integer.parseInt(status.substring(9, 12));
            Map<String, String> headers = new HashMap<>();
            for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            InputStream bodyIn;
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                bodyIn = new Chunked(in);
            } else if (headers.containsKey("content-length")) {
                bodyIn = new Bounded(in, Long.parseLong(headers.get("content-length")));
            } else {
                bodyIn = in;
            }
            return new Response(code, headers, bodyIn, ch);
        } catch (IOException | RuntimeException e) {
            close(ch);
            throw e;
        }
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        if (c == -1 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new IOException("the daemon closed the connection mid-response");
            }
            left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new IOException("the daemon closed the connection mid-response");
            }
            left -= n;
            return n;
        }
    }

    private static final class Chunked extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        private boolean fill() throws IOException {
            if (done) {
                return false;
            }
            if (left == 0) {
                String size = readLine(in);
                while (size != null && size.isEmpty()) {
                    size = readLine(in);
                }
                if (size == null) {
                    throw new IOException("the daemon closed the connection mid-response");
                }
                int semi = size.indexOf(';');
                left = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                if (left == 0) {
                    done = true;
                    return false;
                }
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            if (!fill()) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new IOException("the daemon closed the connection mid-response");
            }
            left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (!fill()) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new IOException("the daemon closed the connection mid-response");
            }
            left -= n;
            return n;
        }
    }
}
