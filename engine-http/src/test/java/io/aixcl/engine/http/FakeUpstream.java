package io.aixcl.engine.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 server on a loopback port that replays scripted answers byte for byte, and records every request.
 * Raw sockets rather than an HTTP server library, because the tests need what a library hides: a connection
 * dropped in the middle of a chunked body, a stall between two chunks, framing that is wrong on purpose, and
 * seeing when the client hangs up.
 */
final class FakeUpstream implements AutoCloseable {

    /** A request as it reached the server. */
    record Recorded(String method, String path, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Writes the answer to one request; {@link Answer#close} ends the connection after it. */
    @FunctionalInterface
    interface Script {
        void answer(Recorded request, Answer answer) throws IOException, InterruptedException;
    }

    /** The server's side of one exchange. */
    static final class Answer {
        private final OutputStream out;
        private final Socket socket;
        private boolean chunked;

        Answer(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        /** A whole answer with Content-Length. */
        void whole(int status, String contentType, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: " + contentType
                    + "\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
        }

        /** Starts a chunked answer (how llama.cpp, vLLM and Ollama stream). */
        void startChunked(int status, String contentType) throws IOException {
            out.write(("HTTP/1.1 " + status + " " + reason(status) + "\r\nContent-Type: " + contentType
                    + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            chunked = true;
        }

        /** One HTTP chunk, flushed at once. */
        void chunk(String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        /** The terminating chunk: the body ended cleanly. */
        void endChunked() throws IOException {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            chunked = false;
        }

        /** Cuts the connection with a reset, wherever the answer is. */
        void drop() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        /** Waits until the client closes the connection (it read EOF); false when it did not within {@code limit}. */
        boolean awaitClientClose(Duration limit) throws IOException {
            socket.setSoTimeout((int) limit.toMillis());
            try {
                InputStream in = socket.getInputStream();
                while (in.read() >= 0) {
                    // discard
                }
                return true;
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset by the client: closed too
            }
        }

        boolean chunked() {
            return chunked;
        }
    }

    private final ServerSocket server;
    private final List<Recorded> requests = new ArrayList<>();
    private final LinkedBlockingQueue<Recorded> arrivals = new LinkedBlockingQueue<>();
    private final Map<String, Script> routes = new ConcurrentHashMap<>();
    private final Thread acceptor;
    private volatile boolean closed;

    FakeUpstream() throws IOException {
        server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().name("fake-upstream").start(this::accept);
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    int port() {
        return server.getLocalPort();
    }

    /** Answers {@code METHOD path} with {@code script}; the latest route for a key wins. */
    FakeUpstream on(String method, String path, Script script) {
        routes.put(method + " " + path, script);
        return this;
    }

    FakeUpstream onJson(String method, String path, int status, String body) {
        return on(method, path, (request, answer) -> answer.whole(status, "application/json", body));
    }

    synchronized List<Recorded> requests() {
        return List.copyOf(requests);
    }

    /** The requests to {@code path}, in order. */
    synchronized List<Recorded> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** The next request to {@code path} that arrives (or arrived unclaimed), or a failure after {@code limit}. */
    Recorded nextArrival(String path, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Recorded r = arrivals.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new AssertionError("no request to " + path + " reached the fake upstream within " + limit);
            }
            if (r.path().equals(path)) {
                return r;
            }
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            Recorded request = read(socket.getInputStream());
            if (request == null) {
                return;
            }
            synchronized (this) {
                requests.add(request);
            }
            arrivals.add(request);
            Script script = routes.get(request.method() + " " + request.path());
            var answer = new Answer(socket);
            if (script == null) {
                answer.whole(404, "text/plain", "404 page not found");
                return;
            }
            script.answer(request, answer);
        } catch (IOException | InterruptedException e) {
            // the client went away or the test cut the connection: nothing to answer
        }
    }

    /** Reads one request: request line, headers, and a Content-Length body. */
    private static Recorded read(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' || b == '\n') && (matched % 2 == 0 ? b == '\r' : b == '\n') ? matched + 1 : 0;
        }
        if (head.size() == 0) {
            return null;
        }
        String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        return new Recorded(requestLine[0], requestLine[1], headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    /**
     * Closes the listener and waits until the kernel has: the acceptor is a virtual thread parked in accept, and the
     * JDK defers the real close until it leaves, so a client connecting meanwhile would be accepted into the
     * backlog and then reset instead of refused.
     */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
            acceptor.interrupt();
            acceptor.join(Duration.ofSeconds(5));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
