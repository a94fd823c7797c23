package io.aixcl.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One file over HTTP/1.1 on 127.0.0.1, on raw sockets so the test decides every byte: Range requests, a throttle,
 * and a connection dropped part-way through a body. Records each request's Range header and counts the body
 * bytes sent.
 */
final class BlobServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final byte[] body;
    private final ServerSocket socket;
    final List<String> ranges = new CopyOnWriteArrayList<>(); // "" for a request without Range
    final AtomicLong sent = new AtomicLong();
    private volatile long bytesPerSecond;
    private volatile long dropNextAfter = -1;

    BlobServer(byte[] body) throws IOException {
        this.body = body;
        socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().start(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    String url(String path) {
        return "http://127.0.0.1:" + socket.getLocalPort() + path;
    }

    void throttle(long perSecond) {
        bytesPerSecond = perSecond;
    }

    /** The next response's connection closes after {@code bytes} of its body. */
    void dropNextAfter(long bytes) {
        dropNextAfter = bytes;
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                String requestLine = line(in);
                if (requestLine == null || requestLine.isEmpty()) {
                    return;
                }
                String range = "";
                for (String h; (h = line(in)) != null && !h.isEmpty(); ) {
                    if (h.toLowerCase().startsWith("range:")) {
                        range = h.substring(6).strip();
                    }
                }
                ranges.add(range);
                int from = 0;
                int to = body.length - 1;
                Matcher m = RANGE.matcher(range);
                boolean partial = m.matches();
                if (partial) {
                    from = Integer.parseInt(m.group(1));
                    if (!m.group(2).isEmpty()) {
                        to = Math.min(to, Integer.parseInt(m.group(2)));
                    }
                }
                int length = to - from + 1;
                String head = (partial ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + from + "-" + to + "/" + body.length
                        : "HTTP/1.1 200 OK") + "\r\nContent-Length: " + length + "\r\nAccept-Ranges: bytes\r\n\r\n";
                out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                if (requestLine.startsWith("HEAD ")) {
                    out.flush();
                    continue;
                }
                long drop = dropNextAfter;
                dropNextAfter = -1;
                int limit = drop >= 0 ? (int) Math.min(length, drop) : length;
                for (int off = 0; off < limit; ) {
                    long rate = bytesPerSecond;
                    int step = rate > 0 ? (int) Math.max(1024, rate / 20) : limit - off;
                    int n = Math.min(step, limit - off);
                    out.write(body, from + off, n);
                    out.flush();
                    sent.addAndGet(n);
                    off += n;
                    if (rate > 0) {
                        Thread.sleep(1000L * n / rate);
                    }
                }
                if (limit < length) {
                    return; // the connection closes short of the Content-Length
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        }
    }

    private static String line(InputStream in) throws IOException {
        var buf = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                String s = buf.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(c);
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
