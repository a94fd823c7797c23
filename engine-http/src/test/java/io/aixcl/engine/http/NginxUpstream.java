package io.aixcl.engine.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real nginx serving the canned OpenAI fixtures of {@code src/test/resources/upstream} (the benchmarks' upstream)
 * on a free loopback port, from the config template there. Fails, never skips, when nginx is missing.
 */
final class NginxUpstream implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path prefix;

    private NginxUpstream(Process process, int port, Path prefix) {
        this.process = process;
        this.port = port;
        this.prefix = prefix;
    }

    /** Base URL of the JSON flavour (whole completions). */
    URI json() {
        return URI.create("http://127.0.0.1:" + port + "/json");
    }

    /** Base URL of the SSE flavour (streamed chunks). */
    URI sse() {
        return URI.create("http://127.0.0.1:" + port + "/sse");
    }

    static NginxUpstream start(Path prefix) throws IOException, InterruptedException {
        Path nginx = Stream.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx").map(Path::of)
                .filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("nginx is not installed: apt-get install -y nginx"));
        Path root = fixtures();
        int port = freePort();
        String config = Files.readString(root.resolve("nginx.conf.template"))
                .replace("@PORT@", Integer.toString(port))
                .replace("@ROOT@", root.toString())
                .replace("@PREFIX@", prefix.toString())
                .replace("@WORKERS@", "1");
        Path conf = Files.writeString(prefix.resolve("nginx.conf"), config);
        Process process = new ProcessBuilder(List.of(nginx.toString(), "-p", prefix.toString(), "-e",
                prefix.resolve("error.log").toString(), "-c", conf.toString(), "-g", "daemon off;"))
                .redirectErrorStream(true)
                .redirectOutput(prefix.resolve("nginx.out").toFile())
                .start();
        var upstream = new NginxUpstream(process, port, prefix);
        upstream.awaitListening(Duration.ofSeconds(10));
        return upstream;
    }

    /** The folder of the fixtures and the template, as the build copied it. */
    static Path fixtures() {
        try {
            return Path.of(NginxUpstream.class.getResource("/upstream/nginx.conf.template").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitListening(Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("nginx exited with " + process.exitValue() + ": " + log());
            }
            try (var socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        throw new AssertionError("nginx did not listen on port " + port + " within " + limit + ": " + log());
    }

    private String log() throws IOException {
        Path out = prefix.resolve("nginx.out");
        Path error = prefix.resolve("error.log");
        return (Files.exists(out) ? Files.readString(out) : "") + (Files.exists(error) ? Files.readString(error) : "");
    }

    private static int freePort() {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: nginx's fast shutdown
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
