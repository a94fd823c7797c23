package io.aixcl.engine.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aixcl.core.AixclException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineHandshakeTest {
    @TempDir
    Path dir;

    @Test
    void asksForTheVersionUnversionedThenSpeaksTheNegotiatedVersion() throws Exception {
        try (var fake = FakeEngineSocket.docker(dir.resolve("docker.sock"), "1.46", "1.24");
                var http = Transports.unix(fake.socket(), Duration.ofSeconds(2), Duration.ofSeconds(2), 1)) {
            var result = EngineHandshake.perform(http);

            assertThat(fake.requestedPaths).containsExactly("/version", "/v1.44/info");
            assertThat(result.apiVersion()).hasToString("1.44");
            assertThat(result.server().engine()).isEqualTo("Docker");
            assertThat(result.server().version()).isEqualTo("27.0.1");
            assertThat(result.rootless()).isTrue();
        }
    }

    @Test
    void anEngineThatNeedsANewerApiIsUnavailableWithTheReason() {
        try (var fake = FakeEngineSocket.docker(dir.resolve("docker.sock"), "1.60", "1.50")) {
            var location = new EngineLocation(fake.socket(), "test", List.of(), Optional.empty());
            assertThatThrownBy(() -> DockerApiEngine.open(location, dir))
                    .isInstanceOf(AixclException.EngineUnavailable.class)
                    .hasMessageContaining("requires API version 1.50");
        }
    }

    @Test
    void openedEngineReportsWhatTheHandshakeFound() {
        try (var fake = FakeEngineSocket.docker(dir.resolve("docker.sock"), "1.41", "1.12")) {
            var location = new EngineLocation(fake.socket(), "$DOCKER_HOST",
                    List.of(new Consideration(80, "$DOCKER_HOST", "selected")), Optional.empty());
            try (var engine = DockerApiEngine.open(location, dir)) {
                var info = engine.info();
                assertThat(info.engine()).isEqualTo("Docker");
                assertThat(info.apiVersion()).isEqualTo("1.41");
                assertThat(info.rootless()).isFalse();
                assertThat(info.socket()).isEqualTo(fake.socket().toString());
                assertThat(info.selectedBy()).isEqualTo("$DOCKER_HOST");
                assertThat(info.serviceStartedByDaemon()).isFalse();
                assertThat(info.considered()).containsExactly("$DOCKER_HOST [80]: selected");
            }
        }
    }
}
