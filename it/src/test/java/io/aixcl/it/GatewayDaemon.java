package io.aixcl.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the gateway tests share: a daemon serving the real tiny model embedded behind its gateway, and keys. */
final class GatewayDaemon {
    static final Path MODEL = Aixcl.REPO.resolve("../shared/models/llama-2-tiny-random.gguf").normalize();
    static final Pattern KEY = Pattern.compile("aixk_[A-Za-z0-9]+");

    private GatewayDaemon() {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Settings for the embedded engine ({@code inferenceLines}, indented, add to its section) with the gateway on a
     * free loopback port, and the model added under each of {@code modelNames}. Returns the gateway's port.
     */
    static int embedded(Aixcl aixcl, String inferenceLines, String... modelNames) throws IOException {
        assertThat(MODEL).as("the shared test model (../shared/models beside the repository)").exists();
        int port = freePort();
        Files.createDirectories(aixcl.home.resolve("config"));
        aixcl.write("config/settings.yaml", """
                version: 1
                inference:
                  engine: embedded
                %sgateway:
                  listen: 127.0.0.1:%d
                """.formatted(inferenceLines, port));
        for (String name : modelNames) {
            Aixcl.Run add = aixcl.run("models", "add", MODEL.toString(), "--name", name);
            assertThat(add.exit()).as(add.toString()).isZero();
        }
        return port;
    }

    /** {@code aixcl keys create ARGS...}: the key it printed (once). */
    static String createKey(Aixcl aixcl, String... args) {
        List<String> argv = new ArrayList<>(List.of("keys", "create"));
        argv.addAll(List.of(args));
        Aixcl.Run created = aixcl.run(argv.toArray(String[]::new));
        assertThat(created.exit()).as(created.toString()).isZero();
        Matcher m = KEY.matcher(created.out());
        assertThat(m.find()).as(created.toString()).isTrue();
        return m.group();
    }
}
