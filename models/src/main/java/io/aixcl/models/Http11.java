package io.aixcl.models;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * HTTP/1.1 on blocking sockets: a body is read by the caller's thread straight from the socket into the caller's
 * buffer. The JDK's HttpClient passed every socket read through its reactive pipeline (a fresh heap buffer per read,
 * two copies, a hand-off between threads, and C2 recompiling its code on every pull): ~0.9 s of CPU per GiB pulled,
 * most of what a loopback pull spent beyond receive, write and SHA-256.
 *
 * <p>What the store needs and no more: GET and HEAD, {@code Content-Length}, chunked and close-delimited bodies,
 * https with the JDK's default trust and host name verification, http proxies (absolute-form requests for http,
 * CONNECT tunnels for https), and keep-alive, so the chunks of a ranged download reuse their connections (and TLS
 * sessions). Redirects, URL policy and retries are the callers' ({@link SafeHttp}).
 */
final class Http11 implements AutoCloseable {
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int MAX_HEADERS = 256;
    private static final int MAX_IDLE = 16;
    private static final long IDLE_NANOS = Duration.ofSeconds(20).toNanos();

    private final EnvProxySelector proxies;
    private final int connectTimeoutMillis;
    private final int headersTimeoutMillis;
    private final SSLSocketFactory tls;
    private final Deque<Idle> idle = new ArrayDeque<>(); // guarded by itself

    private record Idle(String key, Connection connection, long since) {}

    Http11(EnvProxySelector proxies, Duration connectTimeout, Duration headersTimeout, SSLSocketFactory tls) {
        this.proxies = proxies;
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        this.headersTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, headersTimeout.toMillis());
        this.tls = tls;
    }

    /** A response whose head has been read; its body is read from {@link #body()}. Closing it ends the exchange. */
    static final class Response implements AutoCloseable {
        private final int status;
        private final Map<String, List<String>> headers;
        private final Body body;

        private Response(int status, Map<String, List<String>> headers, Body body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        int status() {
            return status;
        }

        Optional<String> header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.getFirst());
        }

        HttpHeaders headers() {
            return HttpHeaders.of(headers, (n, v) -> true);
        }

        InputStream body() {
            return body;
        }

        /** Reads body bytes into {@code dst}; -1 at the end of the body. */
        int read(ByteBuffer dst) throws IOException {
            return body.read(dst);
        }

        /** Returns the connection for reuse when the body was read to its end; otherwise closes it. */
        @Override
        public void close() {
            body.close();
        }
    }

    /** Sends {@code method} (GET or HEAD) for {@code uri}; {@code headers} are added to Host and User-Agent. */
    Response send(String method, URI uri, Map<String, String> headers, String userAgent) throws IOException {
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        if (!https && !"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IOException("unsupported scheme " + uri.getScheme());
        }
        String host = uri.getHost();
        if (host == null) {
            throw new IOException("no host in the URL");
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        Proxy proxy = proxies.select(uri).getFirst();
        InetSocketAddress via = proxy.type() == Proxy.Type.HTTP ? (InetSocketAddress) proxy.address() : null;
        String key = (https ? "https://" : "http://") + host.toLowerCase(Locale.ROOT) + ":" + port
                + (via == null ? "" : " via " + via.getHostString() + ":" + via.getPort());
        byte[] request = request(method, uri, host, port, https, via != null && !https, headers, userAgent);
        boolean head = method.equals("HEAD");
        for (Connection reused; (reused = takeIdle(key)) != null; ) {
            try {
                return exchange(reused, request, head, key);
            } catch (StaleConnection e) {
                reused.close(); // the server closed it while it was idle: try the next, then a new one
            }
        }
        return exchange(open(https, host, port, via), request, head, key);
    }

    @Override
    public void close() {
        synchronized (idle) {
            idle.forEach(i -> i.connection().close());
            idle.clear();
        }
    }

    private Connection takeIdle(String key) {
        long now = System.nanoTime();
        synchronized (idle) {
            for (var it = idle.iterator(); it.hasNext(); ) {
                Idle i = it.next();
                if (now - i.since() > IDLE_NANOS) {
                    it.remove();
                    i.connection().close();
                } else if (i.key().equals(key)) {
                    it.remove();
                    return i.connection();
                }
            }
        }
        return null;
    }

    private void giveBack(String key, Connection c) {
        synchronized (idle) {
            if (idle.size() >= MAX_IDLE) {
                idle.removeFirst().connection().close();
            }
            idle.addLast(new Idle(key, c, System.nanoTime()));
        }
    }

    private static byte[] request(String method, URI uri, String host, int port, boolean https, boolean absoluteForm,
                                  Map<String, String> headers, String userAgent) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        boolean defaultPort = port == (https ? 443 : 80);
        String authority = host + (defaultPort ? "" : ":" + port);
        if (absoluteForm) {
            target = "http://" + authority + target;
        }
        var sb = new StringBuilder(256).append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        header(sb, "Host", authority);
        header(sb, "User-Agent", userAgent);
        headers.forEach((n, v) -> header(sb, n, v));
        sb.append("\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void header(StringBuilder sb, String name, String value) {
        if (name.isEmpty() || (name + value).chars().anyMatch(ch -> ch == '\r' || ch == '\n' || ch > 0xff)) {
            throw new IllegalArgumentException("invalid header " + name);
        }
        sb.append(name).append(": ").append(value).append("\r\n");
    }

    private Connection open(boolean https, String host, int port, InetSocketAddress via) throws IOException {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetSocketAddress target = via != null ? new InetSocketAddress(via.getHostString(), via.getPort())
                : new InetSocketAddress(bare, port);
        if (target.isUnresolved()) {
            throw new IOException("cannot resolve " + target.getHostString());
        }
        // Plain http on a SocketChannel, whose bodies read straight into the caller's direct buffer (a Socket's
        // stream reads through a direct buffer of the JDK's own and copies); TLS on a Socket (SSLSocket needs one).
        Socket raw = https ? new Socket() : SocketChannel.open().socket();
        try {
            raw.setTcpNoDelay(true);
            raw.connect(target, connectTimeoutMillis);
            Connection c = new Connection(raw, raw);
            if (via != null && https) {
                tunnel(c, host, port);
            }
            if (!https) {
                return c;
            }
            SSLSocket s = (SSLSocket) (tls != null ? tls : (SSLSocketFactory) SSLSocketFactory.getDefault())
                    .createSocket(raw, bare, port, true);
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
            s.setSSLParameters(p);
            s.setSoTimeout(connectTimeoutMillis);
            s.startHandshake();
            return new Connection(raw, s);
        } catch (SocketTimeoutException e) {
            raw.close();
            throw new HttpTimeoutException("no connection to " + host + ":" + port + " within " + connectTimeoutMillis + " ms");
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** Asks an http proxy for a tunnel to host:port (https through a proxy). */
    private void tunnel(Connection c, String host, int port) throws IOException {
        String authority = host + ":" + port;
        var sb = new StringBuilder("CONNECT ").append(authority).append(" HTTP/1.1\r\n");
        header(sb, "Host", authority);
        sb.append("\r\n");
        c.raw.setSoTimeout(headersTimeoutMillis);
        c.out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        c.out.flush();
        Head h = c.readHead(true);
        if (h.status / 100 != 2) {
            throw new IOException("the proxy refused a tunnel to " + authority + " (HTTP " + h.status + ")");
        }
    }

    private Response exchange(Connection c, byte[] request, boolean head, String key) throws IOException {
        boolean reused = c.used;
        c.used = true;
        c.heard = false;
        Head h;
        try {
            c.socket.setSoTimeout(headersTimeoutMillis);
            c.out.write(request);
            c.out.flush();
            h = c.readHead(false);
            c.socket.setSoTimeout(0); // a body's reads are watched for stalls by the caller
        } catch (SocketTimeoutException e) {
            c.close();
            throw new HttpTimeoutException("no response within " + headersTimeoutMillis + " ms");
        } catch (IOException e) {
            if (reused && !c.heard) {
                throw new StaleConnection(e); // closed (or reset) by the server while idle: not its answer
            }
            c.close();
            throw e;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        long length;
        boolean chunked = h.values("transfer-encoding").stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"));
        if (head || h.status == 204 || h.status == 304) {
            length = 0;
            chunked = false;
        } else if (chunked) {
            length = -1;
        } else {
            length = h.contentLength();
        }
        boolean reusable = h.http11 && h.values("connection").stream().noneMatch(v -> v.equalsIgnoreCase("close"));
        return new Response(h.status, h.headers, new Body(c, length, chunked, reusable ? key : null));
    }

    /** The status line and headers of a response. */
    private record Head(int status, boolean http11, Map<String, List<String>> headers) {
        List<String> values(String name) {
            return headers.getOrDefault(name, List.of());
        }

        long contentLength() throws IOException {
            List<String> v = values("content-length");
            if (v.isEmpty()) {
                return -1; // the body ends when the connection does
            }
            long n;
            try {
                n = Long.parseLong(v.getFirst().strip());
            } catch (NumberFormatException e) {
                throw new IOException("invalid Content-Length '" + v.getFirst() + "'");
            }
            for (String other : v) {
                if (!other.strip().equals(String.valueOf(n))) {
                    throw new IOException("conflicting Content-Length headers");
                }
            }
            if (n < 0) {
                throw new IOException("invalid Content-Length " + n);
            }
            return n;
        }
    }

    /** A request on a kept-alive connection found it closed before any byte of a response: not the server's answer. */
    private static final class StaleConnection extends IOException {
        StaleConnection(IOException cause) {
            super("stale connection", cause);
        }
    }

    /** One socket (TLS or not) with a small buffer for response heads and whatever body bytes came with them. */
    private static final class Connection {
        final Socket raw;
        final Socket socket;
        final SocketChannel channel; // null for TLS
        final InputStream in;
        final OutputStream out;
        final byte[] buf = new byte[16 * 1024];
        byte[] scratch;
        int pos;
        int lim;
        boolean used; // a request was sent on it before
        boolean heard; // a byte arrived since the last request was sent

        Connection(Socket raw, Socket socket) throws IOException {
            this.raw = raw;
            this.socket = socket;
            this.channel = socket == raw ? raw.getChannel() : null;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /** Reads a head, skipping interim (1xx) responses. */
        Head readHead(boolean tunnel) throws IOException {
            int total = 0;
            while (true) {
                String status = line();
                if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' ') {
                    throw new IOException("not an HTTP/1.x response");
                }
                int code;
                try {
                    code = Integer.parseInt(status.substring(9, 12));
                } catch (NumberFormatException e) {
                    throw new IOException("invalid HTTP status line");
                }
                Map<String, List<String>> headers = new TreeMap<>();
                String last = null;
                for (int n = 0; ; n++) {
                    String line = line();
                    total += line.length() + 2;
                    if (total > MAX_HEAD_BYTES || n > MAX_HEADERS) {
                        throw new IOException("response head larger than " + MAX_HEAD_BYTES + " bytes");
                    }
                    if (line.isEmpty()) {
                        break;
                    }
                    if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && last != null) {
                        List<String> vs = headers.get(last); // obsolete line folding
                        vs.set(vs.size() - 1, vs.getLast() + " " + line.strip());
                        continue;
                    }
                    int colon = line.indexOf(':');
                    if (colon <= 0) {
                        throw new IOException("invalid header line in the response");
                    }
                    last = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                    headers.computeIfAbsent(last, k -> new ArrayList<>()).add(line.substring(colon + 1).strip());
                }
                if (code >= 100 && code < 200 && !tunnel) {
                    continue; // 100 Continue and the like: the real answer follows
                }
                return new Head(code, status.startsWith("HTTP/1.1"), headers);
            }
        }

        /** A CRLF- (or LF-) terminated line of the head, without its terminator. */
        private String line() throws IOException {
            var sb = new StringBuilder(64);
            while (true) {
                if (pos == lim && fill() < 0) {
                    throw new EOFException("the connection closed in a response head");
                }
                byte b = buf[pos++];
                if (b == '\n') {
                    int len = sb.length();
                    if (len > 0 && sb.charAt(len - 1) == '\r') {
                        sb.setLength(len - 1);
                    }
                    return sb.toString();
                }
                if (sb.length() >= MAX_HEAD_BYTES) {
                    throw new IOException("response head line too long");
                }
                sb.append((char) (b & 0xff));
            }
        }

        private int fill() throws IOException {
            int n = in.read(buf, 0, buf.length);
            heard |= n > 0;
            pos = 0;
            lim = Math.max(n, 0);
            return n;
        }

        int buffered() {
            return lim - pos;
        }

        /** Reads body bytes: first what came with the head, then straight from the socket. */
        int read(byte[] b, int off, int len) throws IOException {
            if (pos < lim) {
                int n = Math.min(len, lim - pos);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
                return n;
            }
            return in.read(b, off, len);
        }

        /** Reads up to {@code max} body bytes into {@code dst}: with no copy from a plain socket. */
        int read(ByteBuffer dst, int max) throws IOException {
            if (pos < lim) {
                int n = Math.min(max, lim - pos);
                dst.put(buf, pos, n);
                pos += n;
                return n;
            }
            if (channel != null) {
                int limit = dst.limit();
                dst.limit(dst.position() + max);
                try {
                    return channel.read(dst);
                } finally {
                    dst.limit(limit);
                }
            }
            if (scratch == null) {
                scratch = new byte[64 * 1024];
            }
            int n = in.read(scratch, 0, Math.min(max, scratch.length));
            if (n > 0) {
                dst.put(scratch, 0, n);
            }
            return n;
        }

        int available() throws IOException {
            return buffered() + in.available();
        }

        void close() {
            try {
                raw.close(); // the plain socket first: it breaks a read blocked in another thread at once
            } catch (IOException ignored) {
                // closing
            }
            if (socket != raw) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    /** A response body: Content-Length, chunked, or to the end of the connection. */
    private final class Body extends InputStream {
        private final Connection c;
        private final boolean chunked;
        private final String reuseKey;
        private final AtomicBoolean closed = new AtomicBoolean();
        private long remaining; // fixed length: bytes left; chunked: bytes left in this chunk; -1: until close
        private boolean chunkedStarted;
        private volatile boolean ended;

        Body(Connection c, long length, boolean chunked, String reuseKey) {
            this.c = c;
            this.chunked = chunked;
            this.reuseKey = length < 0 && !chunked ? null : reuseKey;
            this.remaining = chunked ? 0 : length;
            this.ended = !chunked && length == 0;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int want = startRead(len);
            return want <= 0 ? want : account(c.read(b, off, want));
        }

        int read(ByteBuffer dst) throws IOException {
            int want = startRead(dst.remaining());
            return want <= 0 ? want : account(c.read(dst, want));
        }

        /** How many bytes the next read may take (at most {@code len}): 0 for none asked, -1 at the end. */
        private int startRead(int len) throws IOException {
            if (ended) {
                return -1;
            }
            if (closed.get()) {
                throw new IOException("the response was closed");
            }
            if (len == 0) {
                return 0;
            }
            if (chunked && remaining == 0 && !nextChunk()) {
                return -1;
            }
            return remaining < 0 ? len : (int) Math.min(len, remaining);
        }

        private int account(int n) throws IOException {
            if (n < 0) {
                if (remaining < 0) {
                    ended = true;
                    return -1;
                }
                throw new EOFException("the connection closed " + remaining + " bytes before the end of the body");
            }
            if (remaining >= 0) {
                remaining -= n;
                if (!chunked && remaining == 0) {
                    ended = true;
                }
            }
            return n;
        }

        /** Reads the next chunk's size line (and, after the last chunk, the trailers); false at the end. */
        private boolean nextChunk() throws IOException {
            if (chunkedStarted && !c.line().isEmpty()) {
                throw new IOException("invalid chunked body");
            }
            chunkedStarted = true;
            String size = c.line();
            int semi = size.indexOf(';');
            try {
                remaining = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).strip(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("invalid chunk size in the body");
            }
            if (remaining < 0) {
                throw new IOException("invalid chunk size in the body");
            }
            if (remaining == 0) {
                while (!c.line().isEmpty()) {
                    // trailers: ignored
                }
                ended = true;
                return false;
            }
            return true;
        }

        @Override
        public int available() throws IOException {
            if (ended || closed.get()) {
                return 0;
            }
            int a = c.available();
            return remaining < 0 ? a : (int) Math.min(a, remaining);
        }

        /** Idempotent, and safe from another thread while a read is blocked (it then fails). */
        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            if (ended && reuseKey != null && c.buffered() == 0) { // bytes past the body: not a clean connection
                giveBack(reuseKey, c);
            } else {
                c.close();
            }
        }
    }
}
