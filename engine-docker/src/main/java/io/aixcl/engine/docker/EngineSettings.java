package io.aixcl.engine.docker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the daemon wants its engine found.
 *
 * @param socket             the engine.socket setting (a path or unix:// URL); when set, nothing else is tried
 * @param runtimeDir         the daemon's runtime folder; a Podman API service it starts listens there
 * @param secretsDir         the only folder whose files may be bind-mounted (read-only) into containers
 * @param startPodmanService whether to start Podman's API service when no socket answers
 */
public record EngineSettings(Optional<String> socket, Path runtimeDir, Path secretsDir, boolean startPodmanService,
        Duration serviceStartTimeout) {

    public EngineSettings {
        Objects.requireNonNull(socket, "socket is null");
        Objects.requireNonNull(runtimeDir, "runtimeDir is null");
        Objects.requireNonNull(secretsDir, "secretsDir is null");
        Objects.requireNonNull(serviceStartTimeout, "serviceStartTimeout is null");
    }

    public static EngineSettings of(Optional<String> socket, Path runtimeDir, Path secretsDir) {
        return new EngineSettings(socket, runtimeDir, secretsDir, true, Duration.ofSeconds(20));
    }
}
