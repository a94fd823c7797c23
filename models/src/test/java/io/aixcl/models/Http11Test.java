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
import java.net.URI;
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
import java.util.function.BiConsumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blocking HTTP/1.1 client against scripted servers on loopback: every byte on the wire is ours. */
class Http11Test {
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
            assertThat(body(http.send("GET", server.uri("/a"), Map.of(), "ua"))).isEqualTo("first");
            assertThat(body(http.send("GET", server.uri("/b"), Map.of("Range", "bytes=0-"), "ua"))).isEqualTo("second!");
            assertThat(server.accepted.get()).as("connections opened").isEqualTo(1);
            assertThat(server.heads).hasSize(2);
            assertThat(server.heads.get(1)).contains("GET /b HTTP/1.1", "Host: 127.0.0.1:" + server.port(), "User-Agent: ua",
                    "Range: bytes=0-");
        }
    }

    @Test
    void aKeptAliveConnectionTheServerClosedIsReplacedByANewOne() throws Exception {
        try (var server = new Scripted((in, out) -> {
            requestHead(in);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            // and the server closes the connection while it sits in the client's pool
        }); var http = client(Map.of())) {
            assertThat(body(http.send("GET", server.uri("/a"), Map.of(), "ua"))).isEqualTo("ok");
            Thread.sleep(100);
            assertThat(body(http.send("GET", server.uri("/a"), Map.of(), "ua"))).isEqualTo("ok");
            assertThat(server.accepted.get()).isEqualTo(2);
        }
    }

    @Test
    void aBodyCutShortIsAnErrorNotAnEndAndHeadResponsesHaveNoBody() throws Exception {
        try (var server = new Scripted((in, out) -> {
            String head = requestHead(in);
            if (head.startsWith("HEAD")) {
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
                head = requestHead(in);
            }
            write(out, "HTTP/1.1 206 Partial Content\r\nContent-Length: 10\r\nContent-Range: bytes 0-9/10\r\n\r\n12345");
        }); var http = client(Map.of())) {
            try (var r = http.send("HEAD", server.uri("/m"), Map.of(), "ua")) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.headers().firstValueAsLong("content-length")).hasValue(1000);
                assertThat(r.body().read()).isEqualTo(-1);
            }
            try (var r = http.send("GET", server.uri("/m"), Map.of(), "ua")) {
                assertThat(r.status()).isEqualTo(206);
                assertThat(r.header("CONTENT-RANGE")).hasValue("bytes 0-9/10");
                assertThatThrownBy(() -> r.body().readAllBytes()).isInstanceOf(IOException.class)
                        .hasMessageContaining("5 bytes before the end of the body");
            }
            assertThat(server.accepted.get()).as("the HEAD's connection served the GET").isEqualTo(1);
        }
    }

    @Test
    void plainHttpThroughAProxyIsSentInAbsoluteForm() throws Exception {
        try (var proxy = new Scripted((in, out) -> {
            requestHead(in);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nvia");
        }); var http = client(Map.of("HTTP_PROXY", "http://127.0.0.1:" + proxy.port()))) {
            assertThat(body(http.send("GET", URI.create("http://models.example:8080/x.gguf?sig=1"), Map.of(), "ua"))).isEqualTo("via");
            assertThat(proxy.heads.getFirst()).startsWith("GET http://models.example:8080/x.gguf?sig=1 HTTP/1.1")
                    .contains("Host: models.example:8080");
        }
    }

    @Test
    void httpsThroughAProxyAsksForATunnelAndReportsARefusal() throws Exception {
        try (var proxy = new Scripted((in, out) -> {
            requestHead(in);
            write(out, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
        }); var http = client(Map.of("HTTPS_PROXY", "http://127.0.0.1:" + proxy.port()))) {
            assertThatThrownBy(() -> http.send("GET", URI.create("https://models.example/x.gguf"), Map.of(), "ua"))
                    .isInstanceOf(IOException.class)
                    .hasMessage("the proxy refused a tunnel to models.example:443 (HTTP 407)");
            assertThat(proxy.heads.getFirst()).startsWith("CONNECT models.example:443 HTTP/1.1").contains("Host: models.example:443");
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

        try (var server = new Scripted(serverTls, (in, out) -> {
            requestHead(in);
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret");
        }); var trusting = new Http11(new EnvProxySelector(Map.of()), T, T, clientTls.getSocketFactory());
             var defaults = client(Map.of())) {
            URI byName = URI.create("https://localhost:" + server.port() + "/m");
            assertThat(body(trusting.send("GET", byName, Map.of(), "ua"))).isEqualTo("secret");
            assertThatThrownBy(() -> trusting.send("GET", URI.create("https://127.0.0.1:" + server.port() + "/m"), Map.of(), "ua"))
                    .as("the certificate names localhost, not 127.0.0.1")
                    .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
            assertThatThrownBy(() -> defaults.send("GET", byName, Map.of(), "ua"))
                    .as("a self-signed certificate is not trusted by default")
                    .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        try (var server = new Scripted((in, out) -> {
            requestHead(in);
            Thread.sleep(3_000);
        }); var http = new Http11(new EnvProxySelector(Map.of()), T, Duration.ofMillis(200), null)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> http.send("GET", server.uri("/slow"), Map.of(), "ua"))
                    .isInstanceOf(java.net.http.HttpTimeoutException.class).hasMessage("no response within 200 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        }
    }

    private static Http11 client(Map<String, String> env) {
        return new Http11(new EnvProxySelector(env), T, T, null);
    }

    private static String body(Http11.Response r) throws IOException {
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
