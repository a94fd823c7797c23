package io.aixcl.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fast path prints exactly what the ordinary path prints, and steps aside whenever it cannot be sure. */
class FastPathTest {
    @TempDir
    Path home;

    private ServerSocketChannel server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static final Dtos.StackStatus STATUS = new Dtos.StackStatus("aixcl", "usr", List.of(
            new Dtos.ServiceStatus("postgres", "operational", "exited", "none", "exited with code 137", null, 2, 137,
                    List.of(5432), "docker.io/library/postgres:17.6", true)),
            "0 of 1 services of profile 'usr' are healthy (0 running)", false);

    /** A daemon that answers every request with the status above; {@code withHeader} as the real one does. */
    private void daemon(boolean withHeader) throws IOException {
        Path socket = home.resolve("run/aixcld.sock");
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket); // closing a Unix server socket leaves its file behind
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().start(() -> {
            while (server.isOpen()) {
                try (SocketChannel ch = server.accept()) {
                    ByteArrayOutputStream in = new ByteArrayOutputStream();
                    ByteBuffer buf = ByteBuffer.allocate(4096);
                    while (!in.toString(StandardCharsets.UTF_8).contains("\r\n\r\n") && ch.read(buf) >= 0) {
                        in.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    String request = in.toString(StandardCharsets.UTF_8);
                    requests.add(request.lines().findFirst().orElse(""));
                    boolean pretty = request.contains("pretty=true");
                    String body = pretty ? Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(STATUS) + "\n"
                            : Json.MAPPER.writeValueAsString(STATUS);
                    byte[] b = body.getBytes(StandardCharsets.UTF_8);
                    String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                            + (withHeader ? "\r\nX-Aixcl-Healthy: false" : "") + "\r\n\r\n";
                    ch.write(ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
                    ch.write(ByteBuffer.wrap(b));
                } catch (IOException e) {
                    // a liveness probe connects and leaves without a request; keep serving unless closed
                    if (!server.isOpen()) {
                        return;
                    }
                }
            }
        });
    }

    @Test
    void statusJsonPrintsWhatTheOrdinaryPathPrintsWithTheSameExitCode() throws Exception {
        daemon(true);
        CliRun fast = CliRun.of(home, "stack", "status", "--json", "-p", "usr");
        close();
        requests.clear();
        daemon(false); // no header: the fast path steps aside and picocli answers
        CliRun ordinary = CliRun.of(home, "stack", "status", "--json", "-p", "usr");
        assertThat(requests).filteredOn(r -> !r.isBlank()).isNotEmpty().allMatch(r -> r.contains("profile=usr"));
        assertThat(fast.exit()).isEqualTo(3);
        assertThat(ordinary.exit()).isEqualTo(3);
        assertThat(fast.out()).isEqualTo(ordinary.out()).contains("\"exitCode\" : 137");
    }

    /**
     * The process as the launcher starts it: {@code main} starts the socket warm-up thread beside the fast path, and
     * halts. Same output and exit code as in-process, nothing on stderr (the warm-up reports nothing).
     */
    @Test
    void theProcessPrintsTheSameWithTheSocketWarmup() throws Exception {
        daemon(true);
        CliRun inProcess = CliRun.of(home, "stack", "status", "--json", "-p", "usr");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xint", "-Djdk.reflect.useNativeAccessorOnly=true", "-cp", System.getProperty("java.class.path"),
                "io.aixcl.cli.Main", "stack", "status", "--json", "-p", "usr");
        pb.environment().keySet().removeIf(k -> k.startsWith("AIXCL_") || k.equals("JAVA_TOOL_OPTIONS"));
        pb.environment().put("AIXCL_HOME", home.toString());
        pb.environment().put("HOME", home.toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(3).isEqualTo(inProcess.exit());
        assertThat(out).isEqualTo(inProcess.out()).contains("\"exitCode\" : 137");
        assertThat(err).isEmpty();
    }

    @Test
    void onlyTheFastPathsDaemonFormsStartTheSocketWarmup() {
        Map<String, String> local = Map.of();
        assertThat(FastPath.talksToLocalDaemon(new String[] {"stack", "status", "--json"}, local)).isTrue();
        assertThat(FastPath.talksToLocalDaemon(new String[] {"stack", "start"}, local)).isTrue();
        assertThat(FastPath.talksToLocalDaemon(new String[] {"models", "add", "hf:a/b/c.gguf"}, local)).isTrue();
        assertThat(FastPath.talksToLocalDaemon(new String[] {"stack"}, local)).isFalse();
        assertThat(FastPath.talksToLocalDaemon(new String[] {"stack", "plan"}, local)).isFalse();
        assertThat(FastPath.talksToLocalDaemon(new String[] {"audit", "verify"}, local)).isFalse();
        assertThat(FastPath.talksToLocalDaemon(new String[] {"--help"}, local)).isFalse();
        assertThat(FastPath.talksToLocalDaemon(new String[] {"stack", "status", "--json"},
                Map.of("AIXCL_HOST", "https://h:7443"))).isFalse();
    }

    @Test
    void anythingButTheExactFormGoesTheOrdinaryWay() throws Exception {
        daemon(true);
        assertThat(CliRun.of(home, "stack", "status", "--json", "--bogus").exit()).isEqualTo(2);
        assertThat(CliRun.of(home, "stack", "status", "--json", "-f", home.resolve("missing.yaml").toString()).err())
                .contains("does not exist");
        assertThat(CliRun.of(home, "stack", "status").out()).contains("SERVICE").contains("exit 137");
    }
}
