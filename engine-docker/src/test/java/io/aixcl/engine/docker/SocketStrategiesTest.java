package io.aixcl.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.aixcl.engine.docker.SocketStrategy.Candidate;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SocketStrategiesTest {
    private static final HostEnvironment NOBODY = new HostEnvironment(Map.of(), 1000);

    @Test
    void explicitSettingAcceptsAPathOrAUnixUrl() {
        assertThat(new SocketStrategies.ExplicitSetting(Optional.of("/run/x.sock")).candidate())
                .isEqualTo(new Candidate.Proposed(Path.of("/run/x.sock"), "setting engine.socket"));
        assertThat(new SocketStrategies.ExplicitSetting(Optional.of("unix:///run/x.sock")).candidate())
                .isEqualTo(new Candidate.Proposed(Path.of("/run/x.sock"), "setting engine.socket"));
        assertThat(new SocketStrategies.ExplicitSetting(Optional.of("/run/x.sock")).authoritative()).isTrue();
        assertThat(new SocketStrategies.ExplicitSetting(Optional.empty()).applicable()).isFalse();
    }

    @Test
    void tcpHostsAreRefusedBecauseAixclIsLocalFirst() {
        var host = new HostEnvironment(Map.of("DOCKER_HOST", "tcp://10.0.0.5:2375"), 1000);
        var candidate = new SocketStrategies.EnvironmentVariable("DOCKER_HOST", 80, host).candidate();
        assertThat(candidate).isInstanceOfSatisfying(Candidate.NotApplicable.class,
                n -> assertThat(n.reason()).contains("tcp://10.0.0.5:2375").contains("local-first"));
    }

    @Test
    void relativePathsAreRefusedAndEnvironmentVariablesMustBeUnixUrls() {
        assertThat(new SocketStrategies.ExplicitSetting(Optional.of("podman.sock")).applicable()).isFalse();
        var host = new HostEnvironment(Map.of("CONTAINER_HOST", "/run/podman.sock"), 1000);
        assertThat(new SocketStrategies.EnvironmentVariable("CONTAINER_HOST", 90, host).candidate())
                .isEqualTo(new Candidate.NotApplicable("CONTAINER_HOST=/run/podman.sock is not a unix:// URL"));
    }

    @Test
    void environmentVariablesComeFromTheInjectedMap() {
        var host = new HostEnvironment(Map.of("CONTAINER_HOST", "unix:///tmp/p.sock"), 1000);
        assertThat(new SocketStrategies.EnvironmentVariable("CONTAINER_HOST", 90, host).candidate())
                .isEqualTo(new Candidate.Proposed(Path.of("/tmp/p.sock"), "CONTAINER_HOST"));
        assertThat(new SocketStrategies.EnvironmentVariable("DOCKER_HOST", 80, host).candidate())
                .isEqualTo(new Candidate.NotApplicable("DOCKER_HOST is not set"));
    }

    @Test
    void rootlessPodmanLivesInTheUsersRuntimeFolder() {
        var host = new HostEnvironment(Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), 1000);
        assertThat(new SocketStrategies.RootlessPodman(host).candidate())
                .isEqualTo(new Candidate.Proposed(Path.of("/run/user/1000/podman/podman.sock"),
                        "XDG_RUNTIME_DIR=/run/user/1000"));
        assertThat(new SocketStrategies.RootlessPodman(NOBODY).applicable()).isFalse();
    }

    @Test
    void rootfulPodmanAppliesToRootOrWhenItsSocketIsAccessible() {
        Path missing = Path.of("/nonexistent/podman.sock");
        assertThat(new SocketStrategies.RootfulPodman(new HostEnvironment(Map.of(), 0), missing).applicable())
                .isTrue();
        assertThat(new SocketStrategies.RootfulPodman(NOBODY, missing).candidate())
                .isInstanceOfSatisfying(Candidate.NotApplicable.class,
                        n -> assertThat(n.reason()).contains("not accessible"));
    }

    @Test
    void standardOrderIsSettingThenEnvironmentThenWellKnownSockets() {
        assertThat(SocketStrategies.standard(Optional.empty(), NOBODY)).extracting(SocketStrategy::priority)
                .isSortedAccordingTo((a, b) -> Integer.compare(b, a))
                .doesNotHaveDuplicates();
        assertThat(SocketStrategies.standard(Optional.empty(), NOBODY)).extracting(SocketStrategy::description)
                .containsExactly("engine socket from aixcl settings", "$CONTAINER_HOST", "$DOCKER_HOST",
                        "rootless Podman ($XDG_RUNTIME_DIR/podman/podman.sock)",
                        "rootful Podman (/run/podman/podman.sock)", "Docker (/var/run/docker.sock)");
    }
}
