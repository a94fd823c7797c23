package io.aixcl.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's hand-written HTTP client against a tiny real server on a Unix socket that answers with chosen bytes. */
class UnixHttpTest {
    @TempDir
    Path dir;

    private ServerSocketChannel server;

    @AfterEach
    void closeServer() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** Serves one connection: reads the request (head and Content-Length body), answers {@code reply}, closes. */
    private CompletableFuture<String> serveOnce(Path socket, String reply) throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        CompletableFuture<String> request = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (SocketChannel ch = server.accept()) {
                ByteArrayOutputStream in = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(4096);
                while (!complete(in.toString(StandardCharsets.UTF_8)) && ch.read(buf) >= 0) {
                    in.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                request.complete(in.toString(StandardCharsets.UTF_8));
                ch.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                request.completeExceptionally(e);
            }
        });
        return request;
    }

    private static boolean complete(String request) {
        int end = request.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        int at = request.toLowerCase().indexOf("content-length:");
        int length = at < 0 ? 0 : Integer.parseInt(request.substring(at + 15, request.indexOf("\r\n", at)).trim());
        return request.getBytes(StandardCharsets.UTF_8).length >= end + 4 + length;
    }

    @Test
    void readsAContentLengthBodyAndSendsTheRequestItWasGiven() throws Exception {
        Path socket = dir.resolve("s.sock");
        CompletableFuture<String> request = serveOnce(socket, "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"
                + "Content-Length: 11\r\n\r\n{\"ok\":true}and-bytes-after-the-body");
        try (UnixHttp.Response r = UnixHttp.send(socket, "POST", "/v1/stack/plan",
                "{\"profile\":\"dev\"}".getBytes(StandardCharsets.UTF_8))) {
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.headers()).containsEntry("content-type", "application/json");
            assertThat(r.bodyText()).isEqualTo("{\"ok\":true}");
        }
        String sent = request.get(5, TimeUnit.SECONDS);
        assertThat(sent).startsWith("POST /v1/stack/plan HTTP/1.1\r\n").contains("Content-Length: 17\r\n")
                .endsWith("\r\n\r\n{\"profile\":\"dev\"}");
    }

    @Test
    void aGetSendsNoBody() throws Exception {
        Path socket = dir.resolve("s.sock");
        CompletableFuture<String> request = serveOnce(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
        try (UnixHttp.Response r = UnixHttp.send(socket, "GET", "/v1/daemon", null)) {
            assertThat(r.bodyText()).isEqualTo("{}");
        }
        assertThat(request.get(5, TimeUnit.SECONDS)).startsWith("GET /v1/daemon HTTP/1.1\r\n")
                .doesNotContainIgnoringCase("content-length").endsWith("\r\n\r\n");
    }

    @Test
    void readsAChunkedBodyWithExtensionsAndTrailers() throws Exception {
        Path socket = dir.resolve("s.sock");
        serveOnce(socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "6\r\n{\"a\":1\r\n" + "a;name=value\r\n,\"b\":\"xyz\"\r\n" + "1\r\n}\r\n" + "0\r\nX-Trailer: t\r\n\r\n");
        try (UnixHttp.Response r = UnixHttp.send(socket, "GET", "/v1/x", null)) {
            assertThat(r.bodyText()).isEqualTo("{\"a\":1,\"b\":\"xyz\"}");
        }
    }

    @Test
    void readsAnErrorStatusWithItsBody() throws Exception {
        Path socket = dir.resolve("s.sock");
        serveOnce(socket, "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope");
        try (UnixHttp.Response r = UnixHttp.send(socket, "GET", "/v1/x", null)) {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.bodyText()).isEqualTo("nope");
        }
    }

    @Test
    void aServerThatClosesMidChunkIsAnIOExceptionSayingSo() throws Exception {
        Path socket = dir.resolve("s.sock");
        serveOnce(socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nonly-9-by");
        try (UnixHttp.Response r = UnixHttp.send(socket, "GET", "/v1/x", null)) {
            assertThatThrownBy(r::bodyText).isInstanceOf(IOException.class)
                    .hasMessageContaining("closed the connection mid-response");
        }
    }

    @Test
    void aServerThatClosesBetweenChunksIsAnIOExceptionSayingSo() throws Exception {
        Path socket = dir.resolve("s.sock");
        serveOnce(socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
        try (UnixHttp.Response r = UnixHttp.send(socket, "GET", "/v1/x", null)) {
            assertThatThrownBy(r::bodyText).isInstanceOf(IOException.class)
                    .hasMessageContaining("closed the connection mid-response");
        }
    }

    @Test
    void aServerThatClosesBeforeTheContentLengthIsReachedIsAnIOException() throws Exception {
        Path socket = dir.resolve("s.sock");
        serveOnce(socket, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"cut\":");
        try (UnixHttp.Response r = UnixHttp.send(socket, "GET", "/v1/x", null)) {
            assertThatThrownBy(r::bodyText).isInstanceOf(IOException.class)
                    .hasMessageContaining("closed the connection mid-response");
        }
    }

    @Test
    void aServerThatAnswersNothingIsAnIOExceptionSayingSo() throws Exception {
        Path socket = dir.resolve("s.sock");
        serveOnce(socket, "");
        assertThatThrownBy(() -> UnixHttp.send(socket, "GET", "/v1/x", null)).isInstanceOf(IOException.class)
                .hasMessageContaining("no HTTP response");
    }

    @Test
    void aSocketNobodyServesFailsToConnect() {
        assertThatThrownBy(() -> UnixHttp.send(dir.resolve("nobody.sock"), "GET", "/v1/x", null))
                .isInstanceOf(IOException.class);
    }
}
