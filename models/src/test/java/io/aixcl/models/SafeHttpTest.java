package io.aixcl.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's HTTP client (HttpClient 5 under {@link SafeHttp}) against scripted servers on loopback: every byte on
 * the wire is ours, so keep-alive, bodies, proxies, TLS checks, timeouts and what the client must not do on its own
 * (retry, decompress, keep cookies) are seen as a server sees them.
 */
class SafeHttpTest {
    private static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path tmp;

    @Test
    void keptAliveConnectionsServeTheNextRequestAndChunkedBodiesAreDecoded() throws Exception {
        try (var server = new Scripted((in, out) -> {
            requestHead(in);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
            requestHead(in);
            write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nsec\r\n4\r\nond!\r\n0\r\nX-Trailer: t\r\n\r\n");
        }); var http = client(Map.of())) {
            assertThat(body(http.get(server.uri("/a"), Map.of(), false))).isEqualTo("first");
            assertThat(body(http.get(server.uri("/b"), Map.of("Range", "bytes=0-"), false))).isEqualTo("second!");
            assertThat(server.accepted.get()).as("connections opened").isEqualTo(1);
            assertThat(server.heads).hasSize(2);
            assertThat(server.heads.get(1)).contains("GET /b HTTP/1.1", "Host: 127.0.0.1:" + server.port(),
                    "User-Agent: " + SafeHttp.USER_AGENT, "Range: bytes=0-");
        }
    }

    @Test
    void aKeptAliveConnectionTheServerClosedIsReplacedByANewOne() throws Exception {
        try (var server = new Scripted((in, out) -> {
            requestHead(in);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            // and the server closes the connection while it sits in the client's pool
        }); var http = client(Map.of())) {
            assertThat(body(http.get(server.uri("/a"), Map.of(), false))).isEqualTo("ok");
            Thread.sleep(700); // past the pool's check-before-reuse threshold
            assertThat(body(http.get(server.uri("/a"), Map.of(), false))).isEqualTo("ok");
            assertThat(server.accepted.get()).isEqualTo(2);
        }
    }

    @Test
    void aBodyCutShortIsAnErrorNotAnEndAndHeadResponsesHaveNoBody() throws Exception {
        try (var server = new Scripted((in, out) -> {
            String head = requestHead(in);
            if (head.startsWith("HEAD")) {
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
                requestHead(in);
            }
            write(out, "HTTP/1.1 206 Partial Content\r\nContent-Length: 10\r\nContent-Range: bytes 0-9/10\r\n\r\n12345");
        }); var http = client(Map.of())) {
            try (var r = http.head(server.uri("/m"), false, false)) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.contentLength()).isEqualTo(1000);
                assertThat(r.headers().firstValueAsLong("content-length")).hasValue(1000);
                assertThat(r.body().read()).isEqualTo(-1);
            }
            try (var r = http.get(server.uri("/m"), Map.of(), false)) {
                assertThat(r.status()).isEqualTo(206);
                assertThat(r.header("CONTENT-RANGE")).hasValue("bytes 0-9/10");
                ByteBuffer buf = ByteBuffer.allocate(64);
                assertThatThrownBy(() -> {
                    while (r.read(buf) >= 0) {
                        // until the connection closes
                    }
                }).isInstanceOf(IOException.class).hasMessageContaining("expected: 10; received: 5");
                assertThat(buf.flip().remaining()).as("the bytes that did arrive").isEqualTo(5);
            }
            assertThat(server.accepted.get()).as("the HEAD's connection served the GET").isEqualTo(1);
        }
    }

    @Test
    void bodiesReadIntoDirectBuffersComeStraightFromTheSocketAndStopAtTheirEnd() throws Exception {
        byte[] big = pattern(3 * 1024 * 1024 + 17);
        try (var server = new Scripted((in, out) -> {
            requestHead(in);
            // the head and the first body bytes in one segment: HttpClient reads them into its own buffer
            out.write(concat("HTTP/1.1 200 OK\r\nContent-Length: " + big.length + "\r\n\r\n", big));
            out.flush();
            requestHead(in);
            write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            write(out, Integer.toHexString(big.length) + "\r\n");
            out.write(big);
            write(out, "\r\n0\r\n\r\n");
            requestHead(in);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nlast!");
        }); var http = client(Map.of())) {
            ByteBuffer direct = ByteBuffer.allocateDirect(1 << 20);
            Read fixed;
            try (var r = http.get(server.uri("/a"), Map.of(), false)) {
                fixed = readAll(r, direct);
            }
            assertThat(fixed.bytes()).isEqualTo(big);
            // HttpClient's own buffer is 8 KiB and the scratch array 64 KiB: a larger read came from the channel.
            assertThat(fixed.largestRead()).as("a read straight from the socket").isGreaterThan(64 * 1024);
            Read chunked;
            try (var r = http.get(server.uri("/b"), Map.of(), false)) {
                chunked = readAll(r, direct);
            }
            assertThat(chunked.bytes()).isEqualTo(big);
            // Each read stopped where its body did: the next response on the connection parses.
            assertThat(body(http.get(server.uri("/c"), Map.of(), false))).isEqualTo("last!");
            assertThat(server.accepted.get()).as("one kept-alive connection").isEqualTo(1);
        }
    }

    @Test
    void aDirectReadThatEmptiesTheSocketSaysSoAndACutShortBodyIsAnError() throws Exception {
        var more = new java.util.concurrent.CountDownLatch(1);
        try (var server = new Scripted((in, out) -> {
            requestHead(in);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n");
            Thread.sleep(100);
            out.write(pattern(100_000));
            out.flush();
            more.await(5, TimeUnit.SECONDS);
            out.write(pattern(50_000));
            out.flush();
            // and the connection closes 150,000 bytes short
        }); var http = client(Map.of());
             var r = http.get(server.uri("/a"), Map.of(), false)) {
            ByteBuffer direct = ByteBuffer.allocateDirect(1 << 20);
            while (direct.position() < 100_000) {
                int n = r.read(direct);
                assertThat(n).isPositive();
                assertThat(r.drained()).as("each read took what had arrived, less than it asked").isTrue();
            }
            assertThat(direct.position()).isEqualTo(100_000);
            more.countDown();
            assertThatThrownBy(() -> {
                while (r.read(direct) >= 0) {
                    // until the connection closes
                }
            }).isInstanceOf(IOException.class).hasMessageContaining("expected: 300000; received: 150000");
            assertThat(direct.position()).as("the bytes that did arrive").isEqualTo(150_000);
        }
    }

    @Test
    void aDirectReadEndingAtAChunksEndIsNotTakenForAnEmptySocket() throws Exception {
        var sent = new java.util.concurrent.CountDownLatch(1);
        try (var server = new Scripted((in, out) -> {
            requestHead(in);
            var body = new java.io.ByteArrayOutputStream();
            body.writeBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 4; i++) {
                body.writeBytes("2710\r\n".getBytes(StandardCharsets.ISO_8859_1)); // 10,000 bytes
                body.writeBytes(pattern(10_000));
                body.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            body.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.write(body.toByteArray());
            out.flush();
            sent.countDown();
            Thread.sleep(2_000);
        }); var http = client(Map.of());
             var r = http.get(server.uri("/a"), Map.of(), false)) {
            assertThat(sent.await(5, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200); // every byte is in the client's socket
            ByteBuffer direct = ByteBuffer.allocateDirect(1 << 20);
            int reads = 0;
            while (r.read(direct) >= 0) {
                reads++;
                if (direct.position() < 40_000) {
                    assertThat(r.drained()).as("more is waiting in the socket after %d bytes", direct.position()).isFalse();
                }
            }
            assertThat(direct.position()).isEqualTo(40_000);
            assertThat(reads).as("a read stops at each chunk's end").isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void theClientNeitherDecompressesNorKeepsCookiesNorRetriesNorFollowsRedirectsOnItsOwn() throws Exception {
        var calls = new AtomicInteger();
        try (var server = new Scripted((in, out) -> {
            String head = requestHead(in);
            if (head.contains("/gone")) {
                calls.incrementAndGet();
                return; // closes without an answer: HttpClient would retry a GET by default
            }
            if (head.contains("/moved")) {
                write(out, "HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n");
                return;
            }
            write(out, "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nSet-Cookie: s=1\r\nContent-Length: 7\r\n"
                    + "Connection: close\r\n\r\nnotgzip");
        }); var http = client(Map.of())) {
            assertThat(body(http.get(server.uri("/z"), Map.of(), false))).as("the bytes as sent").isEqualTo("notgzip");
            assertThat(body(http.get(server.uri("/z"), Map.of(), false))).isEqualTo("notgzip");
            assertThat(server.heads.get(1)).doesNotContainIgnoringCase("cookie").doesNotContainIgnoringCase("accept-encoding");
            assertThatThrownBy(() -> http.get(server.uri("/gone"), Map.of(), false)).isInstanceOf(IOException.class);
            assertThat(calls.get()).as("requests for /gone").isEqualTo(1);
            try (var r = http.head(server.uri("/moved"), false, false)) {
                assertThat(r.status()).isEqualTo(302);
                assertThat(r.header("Location")).hasValue("/elsewhere");
            }
            assertThat(server.heads).noneMatch(h -> h.contains("/elsewhere"));
        }
    }

    @Test
    void responseHeadsAreBounded() throws Exception {
        try (var server = new Scripted((in, out) -> {
            String head = requestHead(in);
            if (head.contains("/long")) {
                write(out, "HTTP/1.1 200 OK\r\nX-Long: " + "a".repeat(70_000) + "\r\nContent-Length: 0\r\n\r\n");
            } else {
                var sb = new StringBuilder("HTTP/1.1 200 OK\r\n");
                for (int i = 0; i < 300; i++) {
                    sb.append("X-").append(i).append(": x\r\n");
                }
                write(out, sb.append("Content-Length: 0\r\n\r\n").toString());
            }
        }); var http = client(Map.of())) {
            assertThatThrownBy(() -> http.get(server.uri("/long"), Map.of(), false)).isInstanceOf(IOException.class)
                    .hasMessageContaining("Maximum line length limit exceeded");
            assertThatThrownBy(() -> http.get(server.uri("/many"), Map.of(), false)).isInstanceOf(IOException.class)
                    .hasMessageContaining("Maximum header count exceeded");
        }
    }

    @Test
    void plainHttpThroughAProxyIsSentInAbsoluteFormWithTheQueryAsGiven() throws Exception {
        try (var proxy = new Scripted((in, out) -> {
            requestHead(in);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nvia");
        }); var http = client(Map.of("HTTP_PROXY", "http://127.0.0.1:" + proxy.port()))) {
            URI signed = URI.create("http://models.example:8080/x.gguf?sig=a%2Fb%3D&e=1");
            assertThat(body(http.get(signed, Map.of(), true))).isEqualTo("via");
            assertThat(proxy.heads.getFirst()).startsWith("GET http://models.example:8080/x.gguf?sig=a%2Fb%3D&e=1 HTTP/1.1")
                    .contains("Host: models.example:8080");
        }
    }

    @Test
    void httpsThroughAProxyAsksForATunnelAndReportsARefusal() throws Exception {
        try (var proxy = new Scripted((in, out) -> {
            requestHead(in);
            write(out, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
        }); var http = client(Map.of("HTTPS_PROXY", "http://127.0.0.1:" + proxy.port()))) {
            assertThatThrownBy(() -> http.get(URI.create("https://models.example/x.gguf"), Map.of(), false))
                    .isInstanceOf(IOException.class)
                    .hasMessage("the proxy refused a tunnel to models.example:443 (HTTP 407)");
            assertThat(proxy.heads.getFirst()).startsWith("CONNECT models.example:443 HTTP/1.1").contains("Host: models.example");
        }
    }

    @Test
    void httpsChecksTheCertificateAndTheHostNameItNames() throws Exception {
        char[] pass = "changeit".toCharArray();
        Path store = tmp.resolve("localhost.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "changeit").redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, pass);
        }
        var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pass);
        var serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        var clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, tmf.getTrustManagers(), null);

        byte[] big = pattern(300_000);
        try (var server = new Scripted(serverTls, (in, out) -> {
            requestHead(in);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret");
            requestHead(in);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + big.length + "\r\n\r\n");
            out.write(big);
            out.flush();
        }); var trusting = new SafeHttp(new EnvProxySelector(Map.of()), T, T, 4, clientTls);
             var defaults = client(Map.of())) {
            URI byName = URI.create("https://localhost:" + server.port() + "/m");
            assertThat(body(trusting.get(byName, Map.of(), false))).isEqualTo("secret");
            try (var r = trusting.get(byName, Map.of(), false)) {
                assertThat(readAll(r, ByteBuffer.allocateDirect(1 << 20)).bytes()).as("decrypted into a direct buffer").isEqualTo(big);
            }
            assertThatThrownBy(() -> trusting.get(URI.create("https://127.0.0.1:" + server.port() + "/m"), Map.of(), false))
                    .as("the certificate names localhost, not 127.0.0.1")
                    .isInstanceOf(SSLException.class);
            assertThatThrownBy(() -> defaults.get(byName, Map.of(), false))
                    .as("a self-signed certificate is not trusted by default")
                    .isInstanceOf(SSLException.class);
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        try (var server = new Scripted((in, out) -> {
            requestHead(in);
            Thread.sleep(3_000);
        }); var http = new SafeHttp(new EnvProxySelector(Map.of()), T, Duration.ofMillis(200), 4)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> http.get(server.uri("/slow"), Map.of(), false)).isInstanceOf(SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void theStallWatchdogBreaksAReadBlockedOnASilentServer() throws Exception {
        stallBrokenByTheWatchdog(ByteBuffer.allocate(100));
    }

    @Test
    void theStallWatchdogBreaksADirectReadBlockedOnASilentServer() throws Exception {
        // A channel's read ignores the socket's timeout: only the watchdog bounds it.
        stallBrokenByTheWatchdog(ByteBuffer.allocateDirect(100));
    }

    private void stallBrokenByTheWatchdog(ByteBuffer buf) throws Exception {
        try (var server = new Scripted((in, out) -> {
            requestHead(in);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome");
            Thread.sleep(5_000);
        }); var http = new SafeHttp(new EnvProxySelector(Map.of()), T, Duration.ofSeconds(30), 4);
             var watchdog = new StallWatchdog(Duration.ofMillis(300));
             var r = http.get(server.uri("/hang"), Map.of(), false);
             var watch = watchdog.watch(r)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> {
                while (r.read(buf) >= 0) {
                    watch.touch();
                }
            }).isInstanceOf(IOException.class);
            assertThat(watch.stalled()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("long before the socket's 30 s timeout").isLessThan(Duration.ofSeconds(3));
            assertThat(buf.position()).isEqualTo(4);
        }
    }

    private record Read(byte[] bytes, int largestRead) {}

    /** Reads a body to its end through {@code buf} (emptied after each read), noting the largest single read. */
    private static Read readAll(SafeHttp.Response r, ByteBuffer buf) throws IOException {
        var all = new java.io.ByteArrayOutputStream();
        int largest = 0;
        for (int n; (n = r.read(buf.clear())) >= 0; ) {
            largest = Math.max(largest, n);
            byte[] chunk = new byte[buf.flip().remaining()];
            buf.get(chunk);
            all.write(chunk);
        }
        return new Read(all.toByteArray(), largest);
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + (i >>> 11));
        }
        return b;
    }

    private static byte[] concat(String head, byte[] body) {
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = java.util.Arrays.copyOf(h, h.length + body.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    private static SafeHttp client(Map<String, String> env) {
        return new SafeHttp(new EnvProxySelector(env), T, T, 4);
    }

    private static String body(SafeHttp.Response r) throws IOException {
        try (r) {
            return new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads one request head (up to the blank line) and returns it. */
    private static String requestHead(InputStream in) throws IOException {
        var sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            sb.append((char) b);
            if (sb.toString().endsWith("\r\n\r\n")) {
                break;
            }
        }
        return sb.toString();
    }

    private interface Script {
        void run(InputStream in, OutputStream out) throws Exception;
    }

    /** Runs the script once per accepted connection; records each request head seen through {@link #requestHead}. */
    private static final class Scripted implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger accepted = new AtomicInteger();
        final List<String> heads = new CopyOnWriteArrayList<>();

        Scripted(Script script) throws IOException {
            this(null, script);
        }

        Scripted(SSLContext tls, Script script) throws IOException {
            socket = tls == null ? new ServerSocket() : tls.getServerSocketFactory().createServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        accepted.incrementAndGet();
                        InputStream raw = s.getInputStream();
                        InputStream recording = new InputStream() {
                            final StringBuilder head = new StringBuilder();

                            @Override
                            public int read() throws IOException {
                                int b = raw.read();
                                if (b >= 0) {
                                    head.append((char) b);
                                    if (head.toString().endsWith("\r\n\r\n")) {
                                        heads.add(head.toString());
                                        head.setLength(0);
                                    }
                                }
                                return b;
                            }
                        };
                        script.run(recording, s.getOutputStream());
                    } catch (Exception e) {
                        // the next connection
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port() + path);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
