package io.aixcl.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import io.aixcl.core.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodmanServiceTest {
    private static final SocketProbe PING = SocketProbe.ping(Duration.ofSeconds(1));

    @TempDir
    Path dir;

    @Test
    void anEngineConnectedOnDemandStopsItsServiceWhenClosed() {
        Path podman = TestImages.requireTool("podman", "apt-get install -y podman runc");
        var host = new HostEnvironment(Map.of("PATH", podman.getParent().toString()), 0);
        var settings = new EngineSettings(Optional.empty(), dir.resolve("runtime"), dir.resolve("secrets"), true,
                Duration.ofSeconds(20));
        // Only strategies that find nothing here, so the locator must fall back to starting the service.
        var locator = new EngineLocator(List.of(new SocketStrategies.DockerDefault(dir.resolve("docker.sock"))), PING,
                host, Optional.of(settings.runtimeDir()), settings.serviceStartTimeout());
        EngineLocation location = locator.locate();
        PodmanService service = location.service().orElseThrow();

        var engine = DockerApiEngine.open(location, settings.secretsDir());
        assertThat(engine.info().serviceStartedByDaemon()).isTrue();
        assertThat(engine.info().socket()).isEqualTo(dir.resolve("runtime/podman.sock").toString());
        assertThat(engine.imageExists("localhost/aixcl-never-built:1")).isFalse();
        assertThat(service.alive()).isTrue();

        engine.close();

        assertThat(service.alive()).isFalse();
        assertThat(PING.problem(service.socket())).isPresent();
    }

    @Test
    void aServiceLeftByAKilledDaemonIsStoppedWhenTheNextOneStarts() throws Exception {
        Path podman = TestImages.requireTool("podman", "apt-get install -y podman runc");
        Path socket = dir.resolve("runtime/podman.sock");
        Files.createDirectories(socket.getParent());
        // What a SIGKILLed daemon leaves: its service, serving the socket, with no owner to stop it.
        Process orphan = new ProcessBuilder(PodmanService.command(podman, socket))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        // Another user's or another socket's service is none of ours: this one must survive.
        Path otherSocket = dir.resolve("other/podman.sock");
        Files.createDirectories(otherSocket.getParent());
        Process other = new ProcessBuilder(PodmanService.command(podman, otherSocket))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((PING.problem(socket).isPresent() || PING.problem(otherSocket).isPresent())
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(PING.problem(socket)).isEmpty();

            try (PodmanService service = PodmanService.start(PodmanService.command(podman, socket), socket,
                    Duration.ofSeconds(20), PING)) {
                assertThat(orphan.isAlive()).isFalse();
                assertThat(service.alive()).isTrue();
                assertThat(PING.problem(socket)).isEmpty();
                assertThat(other.isAlive()).isTrue();
            }
        } finally {
            orphan.destroyForcibly();
            other.destroyForcibly();
        }
    }

    @Test
    void aServiceThatFailsToStartReportsItsStderr() {
        Path podman = TestImages.requireTool("podman", "apt-get install -y podman runc");
        Path socket = dir.resolve("podman.sock");
        assertThatThrownBy(() -> PodmanService.start(List.of(podman.toString(), "system", "service",
                "--no-such-flag", "unix://" + socket), socket, Duration.ofSeconds(10), PING))
                .isInstanceOf(AixclException.EngineUnavailable.class)
                .hasMessageContaining("exited with code")
                .hasMessageContaining("no-such-flag");
    }

    @Test
    void aServiceThatNeverAnswersIsStoppedAfterTheTimeout() throws Exception {
        Path sleep = TestImages.requireTool("sleep", "apt-get install -y coreutils");
        Path socket = dir.resolve("podman.sock");
        long start = System.nanoTime();
        assertThatThrownBy(() -> PodmanService.start(List.of(sleep.toString(), "30"), socket,
                Duration.ofMillis(300), PING))
                .isInstanceOf(AixclException.EngineUnavailable.class)
                .hasMessageContaining("did not answer on " + socket + " within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(a -> List.of(a).equals(List.of("30"))).orElse(false))
                .filter(p -> p.parent().map(ProcessHandle::pid).orElse(0L) == ProcessHandle.current().pid()))
                .isEmpty();
    }

    @Test
    void aSocketThatRefusesConnectionsIsEngineUnavailableWithWhatToDo() throws Exception {
        Path stale = dir.resolve("stale.sock");
        new FakeEngineSocket(stale, Map.of()).close();
        Files.createFile(stale);
        var location = new EngineLocation(stale, "test", List.of(), Optional.empty());
        assertThatThrownBy(() -> DockerApiEngine.open(location, dir))
                .isInstanceOf(AixclException.EngineUnavailable.class)
                .hasMessageContaining(stale.toString());
    }
}
