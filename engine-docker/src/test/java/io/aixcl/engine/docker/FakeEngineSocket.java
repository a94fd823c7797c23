package io.aixcl.engine.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal HTTP server on a Unix socket that answers fixed JSON per path, standing in for an engine whose
 * answers a test needs to control (a Docker of a given version, a too-old engine). Records the paths asked.
 */
final class FakeEngineSocket implements AutoCloseable {
    private final Path socket;
    private final Map<String, String> responses;
    private final ServerSocketChannel server;
    final List<String> requestedPaths = new CopyOnWriteArrayList<>();

    FakeEngineSocket(Path socket, Map<String, String> responses) {
        this.socket = socket;
        this.responses = Map.copyOf(responses);
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().start(this::serve);
    }

    /** An engine that answers ping and a Docker-style version. */
    static FakeEngineSocket docker(Path socket, String apiVersion, String minApiVersion) {
        return docker(socket, apiVersion, minApiVersion, Map.of());
    }

    /** An engine that answers ping and a Docker-style version, plus {@code extra} answers by path. */
    static FakeEngineSocket docker(Path socket, String apiVersion, String minApiVersion, Map<String, String> extra) {
        Map<String, String> all = new HashMap<>(Map.of(
                "/_ping", "OK",
                "/version", """
                        {"Platform":{"Name":"Docker Engine - Community"},"Components":[{"Name":"Engine",
                        "Version":"27.0.1"}],"Version":"27.0.1","ApiVersion":"%s","MinAPIVersion":"%s"}
                        """.formatted(apiVersion, minApiVersion),
                "/v1.44/info", "{\"SecurityOptions\":[\"name=seccomp,profile=builtin\",\"name=rootless\"]}",
                "/v1.41/info", "{\"SecurityOptions\":[\"name=seccomp,profile=builtin\"]}"));
        all.putAll(extra);
        return new FakeEngineSocket(socket, all);
    }

    Path socket() {
        return socket;
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                String path = readRequestPath(client);
                requestedPaths.add(path);
                String body = responses.get(path);
                String head = body == null ? "HTTP/1.1 404 Not Found\r\n" : "HTTP/1.1 200 OK\r\n";
                byte[] bytes = (body == null ? "not found" : body).getBytes(StandardCharsets.UTF_8);
                String response = head + "Content-Type: application/json\r\nContent-Length: " + bytes.length
                        + "\r\nConnection: close\r\n\r\n";
                client.write(ByteBuffer.wrap(response.getBytes(StandardCharsets.US_ASCII)));
                client.write(ByteBuffer.wrap(bytes));
            } catch (IOException e) {
                // Closed, or a client went away: keep serving while open.
            }
        }
    }

    private static String readRequestPath(SocketChannel client) throws IOException {
        StringBuilder request = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (request.indexOf("\r\n\r\n") < 0 && client.read(buffer.clear()) > 0) {
            request.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII));
        }
        String[] requestLine = request.toString().split("\r\n", 2)[0].split(" ");
        String target = requestLine.length > 1 ? requestLine[1] : "";
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
