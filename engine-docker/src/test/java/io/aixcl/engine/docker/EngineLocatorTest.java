package io.aixcl.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineLocatorTest {
    private static final SocketProbe PING = SocketProbe.ping(Duration.ofSeconds(1));

    @TempDir
    Path dir;

    private EngineLocator locator(HostEnvironment host, Optional<String> setting, Optional<Path> serviceDir) {
        // The well-known sockets point into the temp folder, so the machine's own engines do not interfere.
        List<SocketStrategy> strategies = List.of(
                new SocketStrategies.ExplicitSetting(setting),
                new SocketStrategies.EnvironmentVariable("CONTAINER_HOST", 90, host),
                new SocketStrategies.EnvironmentVariable("DOCKER_HOST", 80, host),
                new SocketStrategies.RootlessPodman(host),
                new SocketStrategies.DockerDefault(dir.resolve("docker.sock")));
        return new EngineLocator(strategies, PING, host, serviceDir, Duration.ofSeconds(20));
    }

    private HostEnvironment host(Map<String, String> env) throws Exception {
        Path emptyBin = Files.createDirectories(dir.resolve("empty-bin"));
        var all = new java.util.HashMap<>(env);
        all.putIfAbsent("PATH", emptyBin.toString());
        return new HostEnvironment(all, 1000);
    }

    @Test
    void takesTheHighestRankedSocketThatAnswersAndSaysWhatItSkipped() throws Exception {
        Files.createDirectories(dir.resolve("xdg/podman"));
        try (var rootless = FakeEngineSocket.docker(dir.resolve("xdg/podman/podman.sock"), "1.41", "1.24");
                var docker = FakeEngineSocket.docker(dir.resolve("docker.sock"), "1.41", "1.24")) {
            var host = host(Map.of("DOCKER_HOST", "tcp://192.168.1.2:2375", "CONTAINER_HOST",
                    "unix://" + dir.resolve("gone.sock"), "XDG_RUNTIME_DIR", dir.resolve("xdg").toString()));

            EngineLocation location = locator(host, Optional.empty(), Optional.empty()).locate();

            assertThat(location.socket()).isEqualTo(rootless.socket());
            assertThat(location.selectedBy()).startsWith("rootless Podman");
            assertThat(location.service()).isEmpty();
            assertThat(location.considered()).extracting(Consideration::toString).containsExactly(
                    "engine socket from aixcl settings [100]: not applicable: no engine socket configured",
                    "$CONTAINER_HOST [90]: no engine: " + dir.resolve("gone.sock") + " does not exist",
                    "$DOCKER_HOST [80]: not applicable: DOCKER_HOST=tcp://192.168.1.2:2375 is a remote engine;"
                            + " aixcl is local-first and only talks to unix:// sockets",
                    "rootless Podman ($XDG_RUNTIME_DIR/podman/podman.sock) [70]: selected: " + rootless.socket()
                            + " answers (XDG_RUNTIME_DIR=" + dir.resolve("xdg") + ")");
            assertThat(docker.requestedPaths).isEmpty();
        }
    }

    @Test
    void aSocketFileThatNobodyListensOnIsSkipped() throws Exception {
        Path stale = dir.resolve("stale.sock");
        new FakeEngineSocket(stale, Map.of()).close();
        Files.createFile(stale);
        try (var docker = FakeEngineSocket.docker(dir.resolve("docker.sock"), "1.41", "1.24")) {
            var location = locator(host(Map.of("CONTAINER_HOST", "unix://" + stale)), Optional.empty(),
                    Optional.empty()).locate();
            assertThat(location.socket()).isEqualTo(docker.socket());
            assertThat(location.considered().get(1).outcome()).contains("is not a socket");
        }
    }

    @Test
    void anExplicitSocketThatDoesNotAnswerIsNotSilentlyReplaced() throws Exception {
        try (var docker = FakeEngineSocket.docker(dir.resolve("docker.sock"), "1.41", "1.24")) {
            var locator = locator(host(Map.of()), Optional.of("unix://" + dir.resolve("mine.sock")), Optional.empty());
            assertThatThrownBy(locator::locate)
                    .isInstanceOf(AixclException.EngineUnavailable.class)
                    .hasMessageContaining("the configured engine socket does not answer")
                    .hasMessageContaining(dir.resolve("mine.sock") + " does not exist");
            assertThat(docker.requestedPaths).isEmpty();
        }
    }

    @Test
    void withNoEngineAndNoPodmanTheErrorListsWhatWasTriedAndHowToInstall() throws Exception {
        var locator = locator(host(Map.of()), Optional.empty(), Optional.of(dir.resolve("runtime")));
        assertThatThrownBy(locator::locate)
                .isInstanceOf(AixclException.EngineUnavailable.class)
                .hasMessageContaining("no container engine found")
                .hasMessageContaining("Docker (" + dir.resolve("docker.sock") + ") [50]: no engine")
                .hasMessageContaining("podman is not on PATH")
                .hasMessageContaining("apt-get install -y podman runc")
                .hasMessageContaining("containers.conf");
    }
}
