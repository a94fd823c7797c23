package io.aixcl.cli;

import io.aixcl.api.Dtos;
import io.aixcl.api.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A daemon on {@code HOME/run/aixcld.sock} that answers every request with the same NDJSON event stream, and
 * records each request as its request line, a space, and its body.
 */
final class CannedDaemon implements AutoCloseable {
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final ServerSocketChannel server;

    CannedDaemon(Path home, List<Dtos.Event> events) throws IOException {
        Path socket = home.resolve("run/aixcld.sock");
        Files.createDirectories(socket.getParent());
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try (SocketChannel ch = server.accept()) {
                    ByteArrayOutputStream in = new ByteArrayOutputStream();
                    ByteBuffer buf = ByteBuffer.allocate(4096);
                    String request = "";
                    while (ch.read(buf) >= 0) {
                        in.write(buf.array(), 0, buf.position());
                        buf.clear();
                        request = in.toString(StandardCharsets.UTF_8);
                        int end = request.indexOf("\r\n\r\n");
                        if (end >= 0 && (!request.contains("Content-Length: ") || request.length() >= end + 4
                                + Integer.parseInt(request.replaceAll("(?s).*Content-Length: (\\d+).*", "$1")))) {
                            break;
                        }
                    }
                    if (request.isEmpty()) {
                        continue; // a liveness check
                    }
                    requests.add(request.lines().findFirst().orElse("") + " "
                            + request.substring(request.indexOf("\r\n\r\n") + 4));
                    StringBuilder body = new StringBuilder();
                    for (Dtos.Event e : events) {
                        body.append(Json.MAPPER.writeValueAsString(e)).append('\n');
                    }
                    ch.write(ByteBuffer.wrap(("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
                            + "Connection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    if (!server.isOpen()) {
                        return;
                    }
                }
            }
        });
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
