package io.aixcl.cli;

import io.aixcl.api.AixclPaths;
import io.aixcl.api.ApiError;
import io.aixcl.api.ApiPaths;
import io.aixcl.api.Dtos;
import io.aixcl.api.ErrorCode;
import io.aixcl.api.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run of the launcher's JDK AOT cache (or AppCDS archive): runs the everyday commands (status, start,
 * plan, down, help) end to end against a canned daemon on a temporary Unix socket, so the classes they load —
 * picocli's model, Jackson's (de)serializers for the DTOs, the Unix-socket HTTP client, the renderers — are in the
 * cache. Without it a status call loaded ~600 classes from the jars on every start. Not a command: the launcher
 * runs {@code java -cp aixcl-cli.jar io.aixcl.cli.AotTraining}. Touches nothing outside its temporary folder.
 *
 * <p>With {@code --fast-path} it trains only {@link FastPath}'s {@code stack status --json}, {@code stack start} and
 * {@code models add},
 * for the second, small cache the launcher picks for those commands: the JDK maps and links every class of a cache
 * at start, so the general cache's ~2,700 classes cost a command that needs ~100 more than the command itself.
 */
public final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        boolean fastPath = args.length > 0 && args[0].equals("--fast-path");
        Path home = Files.createTempDirectory("aixcl-aot-training-");
        try {
            train(home, fastPath);
        } finally {
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static void train(Path home, boolean fastPath) throws Exception {
        System.getenv(); // Main.main reads the environment: its classes belong in the cache too
        io.aixcl.cli.client.SocketWarmup.runHere(); // Main.main's warm-up, for its classes
        io.aixcl.cli.client.SocketWarmup.providerTablesHere();
        Map<String, String> env = Map.of("AIXCL_HOME", home.toString());
        AixclPaths paths = AixclPaths.fromEnvironment(env, 0);
        Files.createDirectories(paths.socket().getParent());
        Path stackFile = Files.writeString(home.resolve("stack.yaml"), "version: 1\n");
        String f = stackFile.toString();
        PrintStream out = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(paths.socket()));
            Thread daemon = Thread.ofPlatform().daemon().start(() -> serve(server, fastPath));
            String[] status = {"stack", "status", "--json", "-f", f};
            String[] start = {"stack", "start", "-f", f};
            String[] pull = {"models", "add", "hf:training/model/model.gguf"};
            List<String[]> commands = fastPath ? List.of(status, start, pull, status, start, pull) : List.of(
                    new String[] {"stack", "status", "--json", "-f", f},
                    new String[] {"stack", "status", "-f", f},
                    new String[] {"stack", "start", "-f", f},
                    new String[] {"stack", "plan", "-f", f},
                    new String[] {"stack", "stop", "-f", f},
                    new String[] {"stack", "down", "--volumes", "--yes", "-f", f},
                    new String[] {"profiles", "-f", f},
                    new String[] {"stack", "status", "--json", "-f", f},
                    new String[] {"--help"},
                    new String[] {"stack", "--help"},
                    new String[] {"--version"},
                    new String[] {"no-such-command"});
            for (String[] command : commands) {
                Main.run(command, out, out, env, false);
            }
            daemon.interrupt();
        }
    }

    /** A canned aixcld: answers each request from what its path asks for, one request per connection. */
    private static void serve(ServerSocketChannel server, boolean fastPath) {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                String head = readHead(ch);
                if (head == null) {
                    continue; // a liveness check: connect and close
                }
                String path = head.split(" ", 3)[1];
                write(ch, respond(path, fastPath));
            } catch (IOException | RuntimeException e) {
                if (!server.isOpen() || Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
        }
    }

    /**
     * {@code fastPath}: a status comes as the real daemon sends it to {@link FastPath} (pretty, with the health
     * header), and is written by hand: Jackson loaded here would end up in the fast path's cache.
     */
    private static byte[] respond(String path, boolean fastPath) throws IOException {
        String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        if (p.equals(ApiPaths.STACK_STATUS) && fastPath) {
            return http(200, "application/json", ApiPaths.HEALTHY_HEADER + ": true\r\n", """
                    {
                      "stack" : "training",
                      "profile" : "dev",
                      "services" : [ ],
                      "summary" : "0 services",
                      "healthy" : true
                    }
                    """.getBytes(StandardCharsets.UTF_8));
        }
        if (p.equals(ApiPaths.STACK_START) && fastPath) {
            return http(200, "application/x-ndjson", """
                    {"type":"plan","lines":["create inference","keep db"],"current":0,"total":0}
                    {"type":"step","service":"inference","step":"creating","detail":"","current":0,"total":0}
                    {"type":"heartbeat","current":0,"total":0}
                    {"type":"step","service":"inference","step":"starting","detail":"","current":0,"total":0}
                    {"type":"healthy","service":"inference","current":0,"total":0,"seconds":0.25}
                    {"type":"result","current":0,"total":0,"result":{"profile":"dev","changed":true,"started":\
                    ["inference"],"seconds":1.5,"needsContainerEngine":[]}}
                    """.getBytes(StandardCharsets.UTF_8));
        }
        if (p.equals(ApiPaths.MODELS_PULL) && fastPath) {
            return http(200, "application/x-ndjson", """
                    {"type":"step","service":"training","step":"resolved","detail":"1 blob(s), 1048576 bytes, 0 already here","current":0,"total":0}
                    {"type":"pull","step":"downloading","image":"sha256:00","layer":"sha256:00","current":0,"total":1048576}
                    {"type":"pull","step":"downloading","layer":"total","current":524288,"total":1048576}
                    {"type":"heartbeat","current":0,"total":0}
                    {"type":"pull","step":"verified complete","layer":"sha256:00","current":1048576,"total":1048576}
                    {"type":"step","service":"training","step":"published","detail":"1048576 bytes","current":0,"total":0}
                    {"type":"result","current":0,"total":0,"result":{"name":"training","sizeBytes":1048576,\
                    "downloadedBytes":1048576}}
                    """.getBytes(StandardCharsets.UTF_8));
        }
        if (p.equals(ApiPaths.STACK_STATUS)) {
            List<Dtos.ServiceStatus> services = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                services.add(new Dtos.ServiceStatus("svc" + i, i == 0 ? "runtime-core" : "operational", "running",
                        i == 3 ? "unhealthy" : "healthy", "HTTP 200", 3600L + i, i, i == 2 ? 0 : null,
                        List.of(41000 + i), "localhost/image:" + i, i != 1));
            }
            Dtos.StackStatus status = new Dtos.StackStatus("training", "dev", services, "3 of 4 services healthy",
                    false);
            return http(200, "application/json", Json.MAPPER.writeValueAsBytes(status));
        }
        if (p.equals(ApiPaths.STACK_PLAN)) {
            return http(200, "application/json", Json.MAPPER.writeValueAsBytes(new Dtos.Plan("training", "dev",
                    List.of(List.of("inference"), List.of("db")), List.of(), List.of(
                            new Dtos.ServiceAction("inference", 0, "create", "no container", "localhost/i:1", true),
                            new Dtos.ServiceAction("db", 1, "keep", "running, unchanged", "localhost/d:1", false)),
                    List.of(), List.of("training-models"), List.of(), List.of(), false)));
        }
        if (p.startsWith("/v1/stack/")) {
            ByteArrayOutputStream lines = new ByteArrayOutputStream();
            List<Dtos.Event> events = List.of(
                    Dtos.Event.step("inference", "creating", ""),
                    new Dtos.Event("healthy", "inference", null, null, null, null, 0, 0, 0.25, null, null, null,
                            null),
                    Dtos.Event.of("heartbeat"),
                    Dtos.Event.step("db", "stopped", ""),
                    new Dtos.Event("result", null, null, null, null, null, 0, 0, null, null, null, null,
                            Map.of("profile", "dev", "changed", true, "stopped", List.of("db"))));
            for (Dtos.Event e : events) {
                lines.write(Json.MAPPER.writeValueAsBytes(e));
                lines.write('\n');
            }
            return http(200, "application/x-ndjson", lines.toByteArray());
        }
        return http(404, "application/json", Json.MAPPER.writeValueAsBytes(
                new ApiError(ErrorCode.NOT_FOUND, "no route for " + p, List.of("training"))));
    }

    private static byte[] http(int status, String type, byte[] body) {
        return http(status, type, "", body);
    }

    private static byte[] http(int status, String type, String moreHeaders, byte[] body) {
        String head = "HTTP/1.1 " + status + (status == 200 ? " OK" : " Not Found") + "\r\nContent-Type: " + type
                + "\r\nContent-Length: " + body.length + "\r\n" + moreHeaders + "Connection: close\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** The request line and headers; reads (and drops) a Content-Length body. Null if the peer sent nothing. */
    private static String readHead(SocketChannel ch) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        int end = -1;
        while (end < 0) {
            buf.clear();
            if (ch.read(buf) < 0) {
                return seen.size() == 0 ? null : seen.toString(StandardCharsets.US_ASCII);
            }
            seen.write(buf.array(), 0, buf.position());
            end = seen.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
        }
        String text = seen.toString(StandardCharsets.ISO_8859_1);
        String head = text.substring(0, end);
        long length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).trim());
            }
        }
        long left = length - (text.length() - end - 4);
        while (left > 0) {
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                break;
            }
            left -= n;
        }
        return head;
    }

    private static void write(SocketChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
