package io.aixcl.engine.docker;

import io.aixcl.core.testing.TestImages;
import io.aixcl.core.testing.TestImages.PodmanUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Real Podman engines shared by the tests of this JVM, started once: root's (through the adapter's own on-demand
 * service) and an unprivileged user's rootless one. Both services stop when the JVM exits.
 */
final class RealPodman {
    private static DockerApiEngine rootful;
    private static DockerApiEngine rootless;
    private static Path secretsDir;

    private RealPodman() {}

    /** Root's Podman as the daemon would find it, with only PATH in the environment (so no stray DOCKER_HOST). */
    static synchronized DockerApiEngine rootful() {
        if (rootful == null) {
            TestImages.busybox(PodmanUser.root());
            Path runtime = tempDir("aixcl-engine-test-root-");
            var host = new HostEnvironment(Map.of("PATH", System.getenv("PATH")), 0);
            rootful = DockerApiEngine.connect(EngineSettings.of(Optional.empty(), runtime, secretsDir()), host);
            Runtime.getRuntime().addShutdownHook(new Thread(rootful::close));
        }
        return rootful;
    }

    /**
     * A rootless engine: Podman's API service run as the unprivileged test user on a socket in its runtime folder.
     * The root JVM can open that socket and then talks to the user's rootless Podman.
     */
    static synchronized DockerApiEngine rootless() {
        if (rootless == null) {
            PodmanUser user = PodmanUser.rootless();
            TestImages.busybox(user);
            // One socket per JVM: test runs of several worktrees may share the rootless user.
            Path socket = user.runtimeDir().resolve("aixcl-test-podman-" + ProcessHandle.current().pid() + ".sock");
            var service = PodmanService.start(user.command(List.of("podman", "system", "service", "--time=0",
                    "unix://" + socket)), socket, Duration.ofSeconds(30), SocketProbe.ping(Duration.ofSeconds(2)));
            var location = new EngineLocation(socket, "test: rootless Podman of " + user.name().orElseThrow(),
                    List.of(), Optional.of(service));
            rootless = DockerApiEngine.open(location, secretsDir());
            Runtime.getRuntime().addShutdownHook(new Thread(rootless::close));
        }
        return rootless;
    }

    static synchronized Path secretsDir() {
        if (secretsDir == null) {
            secretsDir = tempDir("aixcl-engine-test-secrets-");
        }
        return secretsDir;
    }

    private static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
