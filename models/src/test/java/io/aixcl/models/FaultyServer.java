package io.aixcl.models;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP/1.1 server on 127.0.0.1 written on raw sockets, so tests control every byte: it serves content with
 * Range support and injects faults per path (a connection dropped mid-body, a stall, an empty or corrupted body,
 * 5xx, ignored ranges, redirects). Every request is recorded (method, path, Range, Host) for assertions.
 */
final class FaultyServer implements AutoCloseable {

    sealed interface Fault {
        record DropAfter(long bytes) implements Fault {}

        record StallAfter(long bytes, Duration stall) implements Fault {}

        record Status(int code) implements Fault {}

        record EmptyBody() implements Fault {}

        record CorruptBody() implements Fault {}

        record IgnoreRange() implements Fault {}
    }

    record Request(String method, String path, String range, String host, String target) {}

    private record Route(byte[] body, String contentType, Map<String, String> headers, URI redirect, int redirectStatus) {}

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final ServerSocket socket;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Map<String, Queue<Fault>> faults = new ConcurrentHashMap<>();
    private final Map<String, Long> throttles = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> sending = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> maxSending = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    FaultyServer() throws IOException {
        socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().name("faulty-server-accept").start(this::acceptLoop);
    }

    int port() {
        return socket.getLocalPort();
    }

    /** The base URL; {@code host} may be "127.0.0.1" or "localhost" (two names, two hosts, for redirect tests). */
    URI base(String host) {
        return URI.create("http://" + host + ":" + port());
    }

    URI base() {
        return base("127.0.0.1");
    }

    FaultyServer serve(String path, byte[] body, String contentType, Map<String, String> headers) {
        routes.put(path, new Route(body, contentType, headers, null, 0));
        return this;
    }

    FaultyServer serve(String path, byte[] body) {
        return serve(path, body, "application/octet-stream", Map.of());
    }

    FaultyServer redirect(String path, URI target, int status, Map<String, String> headers) {
        routes.put(path, new Route(null, null, headers, target, status));
        return this;
    }

    /** Faults for the next requests to {@code path}, one per request, in order. */
    FaultyServer fault(String path, Fault... list) {
        faults.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>()).addAll(List.of(list));
        return this;
    }

    FaultyServer throttle(String path, long bytesPerSecond) {
        throttles.put(path, bytesPerSecond);
        return this;
    }

    /** The most bodies of {@code path} that were being sent at once. */
    int maxConcurrentBodies(String path) {
        var max = maxSending.get(path);
        return max == null ? 0 : max.get();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requests(String method, String path) {
        return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        socket.close();
        for (Socket s : open) {
            s.close();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = socket.accept();
                open.add(s);
                Thread.ofVirtual().start(() -> handle(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            String requestLine = line(in);
            if (requestLine == null) {
                return;
            }
            Map<String, String> headers = new ConcurrentHashMap<>();
            for (String h; (h = line(in)) != null && !h.isEmpty(); ) {
                int colon = h.indexOf(':');
                if (colon > 0) {
                    headers.put(h.substring(0, colon).strip().toLowerCase(), h.substring(colon + 1).strip());
                }
            }
            String[] parts = requestLine.split(" ");
            String method = parts[0];
            String target = parts[1];
            String path = target.startsWith("http") ? URI.create(target).getRawPath() : target;
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            requests.add(new Request(method, path, headers.get("range"), headers.get("host"), target));
            respond(s.getOutputStream(), method, path, headers.get("range"));
        } catch (IOException | InterruptedException e) {
            // the client went away, or a fault closed the connection on purpose
        } finally {
            open.remove(s);
        }
    }

    private void respond(OutputStream out, String method, String path, String rangeHeader) throws IOException, InterruptedException {
        Route route = routes.get(path);
        Queue<Fault> queue = faults.get(path);
        Fault fault = queue == null ? null : queue.poll();
        if (route == null) {
            head(out, 404, "Not Found", 0, "text/plain", Map.of());
            return;
        }
        if (fault instanceof Fault.Status st) {
            byte[] b = ("status " + st.code()).getBytes(StandardCharsets.UTF_8);
            head(out, st.code(), "Injected", b.length, "text/plain", Map.of());
            out.write(b);
            return;
        }
        if (route.redirect() != null) {
            var h = new java.util.LinkedHashMap<>(route.headers());
            h.put("Location", route.redirect().toString());
            head(out, route.redirectStatus(), "Redirect", 0, "text/plain", h);
            return;
        }
        byte[] body = route.body();
        long from = 0;
        long to = body.length - 1L;
        int status = 200;
        var h = new java.util.LinkedHashMap<>(route.headers());
        h.put("Accept-Ranges", "bytes");
        Matcher m = rangeHeader == null ? null : RANGE.matcher(rangeHeader);
        if (m != null && m.matches() && !(fault instanceof Fault.IgnoreRange)) {
            from = Long.parseLong(m.group(1));
            if (!m.group(2).isEmpty()) {
                to = Math.min(to, Long.parseLong(m.group(2)));
            }
            if (from >= body.length) {
                h.put("Content-Range", "bytes */" + body.length);
                head(out, 416, "Range Not Satisfiable", 0, "text/plain", h);
                return;
            }
            status = 206;
            h.put("Content-Range", "bytes " + from + "-" + to + "/" + body.length);
        }
        long length = to - from + 1;
        if (fault instanceof Fault.EmptyBody) {
            head(out, status, "OK", 0, route.contentType(), h);
            return;
        }
        head(out, status, status == 200 ? "OK" : "Partial Content", length, route.contentType(), h);
        if (method.equals("HEAD")) {
            return;
        }
        byte[] slice = java.util.Arrays.copyOfRange(body, (int) from, (int) to + 1);
        if (fault instanceof Fault.CorruptBody) {
            slice[slice.length / 2] ^= 0x5a;
        }
        long limit = slice.length;
        if (fault instanceof Fault.DropAfter d) {
            limit = Math.min(limit, d.bytes());
        } else if (fault instanceof Fault.StallAfter st) {
            limit = Math.min(limit, st.bytes());
        }
        var now = sending.computeIfAbsent(path, p -> new java.util.concurrent.atomic.AtomicInteger());
        maxSending.computeIfAbsent(path, p -> new java.util.concurrent.atomic.AtomicInteger()).accumulateAndGet(now.incrementAndGet(), Math::max);
        write(out, slice, (int) limit, throttles.getOrDefault(path, 0L), now);
        if (fault instanceof Fault.StallAfter st) {
            Thread.sleep(st.stall().toMillis());
        }
        // DropAfter: returning closes the socket with the body short of its Content-Length.
    }

    /**
     * {@code sending} is decremented before the last bytes go out: once the client has them (and may send its next
     * request) this body no longer counts as being sent, whatever the scheduling of this thread.
     */
    private static void write(OutputStream out, byte[] b, int n, long bytesPerSecond,
                              java.util.concurrent.atomic.AtomicInteger sending) throws IOException, InterruptedException {
        if (bytesPerSecond <= 0) {
            sending.decrementAndGet();
            out.write(b, 0, n);
            out.flush();
            return;
        }
        int step = (int) Math.max(1024, bytesPerSecond / 20);
        boolean counted = true;
        try {
            for (int off = 0; off < n; off += step) {
                if (off + step >= n) {
                    sending.decrementAndGet();
                    counted = false;
                }
                out.write(b, off, Math.min(step, n - off));
                out.flush();
                Thread.sleep(1000L * step / bytesPerSecond);
            }
        } finally {
            if (counted) {
                sending.decrementAndGet();
            }
        }
    }

    private static void head(OutputStream out, int status, String reason, long length, String type, Map<String, String> headers) throws IOException {
        var sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        sb.append("Content-Length: ").append(length).append("\r\n");
        sb.append("Content-Type: ").append(type == null ? "application/octet-stream" : type).append("\r\n");
        sb.append("Connection: close\r\n");
        headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        var buf = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                String s = buf.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(c);
            if (buf.size() > 16384) {
                throw new IOException("header line too long");
            }
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    static List<String> ranges(List<Request> requests) {
        List<String> out = new ArrayList<>();
        requests.forEach(r -> out.add(r.range()));
        return out;
    }
}
