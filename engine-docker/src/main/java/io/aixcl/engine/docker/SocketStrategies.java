package io.aixcl.engine.docker;

import io.aixcl.engine.docker.SocketStrategy.Candidate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The standard discovery order: what the user said, then the environment, then the well-known sockets. */
public final class SocketStrategies {
    private SocketStrategies() {}

    public static List<SocketStrategy> standard(Optional<String> explicitSetting, HostEnvironment host) {
        return List.of(
                new ExplicitSetting(explicitSetting),
                new EnvironmentVariable("CONTAINER_HOST", 90, host),
                new EnvironmentVariable("DOCKER_HOST", 80, host),
                new RootlessPodman(host),
                new RootfulPodman(host, Path.of("/run/podman/podman.sock")),
                new DockerDefault(Path.of("/var/run/docker.sock")));
    }

    /** The socket from aixcl's own settings (a path or unix:// URL). */
    public record ExplicitSetting(Optional<String> setting) implements SocketStrategy {
        public int priority() { return 100; }
        public String description() { return "engine socket from aixcl settings"; }
        public boolean authoritative() { return setting.isPresent(); }

        public Candidate candidate() {
            return setting.map(s -> SocketAddress.parse(s, "setting engine.socket", true))
                    .orElse(new Candidate.NotApplicable("no engine socket configured"));
        }
    }

    public record EnvironmentVariable(String name, int priority, HostEnvironment host) implements SocketStrategy {
        public String description() { return "$" + name; }

        public Candidate candidate() {
            return host.get(name).map(v -> SocketAddress.parse(v, name, false))
                    .orElse(new Candidate.NotApplicable(name + " is not set"));
        }
    }

    public record RootlessPodman(HostEnvironment host) implements SocketStrategy {
        public int priority() { return 70; }
        public String description() { return "rootless Podman ($XDG_RUNTIME_DIR/podman/podman.sock)"; }

        public Candidate candidate() {
            return host.get("XDG_RUNTIME_DIR")
                    .<Candidate>map(d -> new Candidate.Proposed(Path.of(d, "podman", "podman.sock"),
                            "XDG_RUNTIME_DIR=" + d))
                    .orElse(new Candidate.NotApplicable("XDG_RUNTIME_DIR is not set"));
        }
    }

    /** Root's Podman; another user may use it only when the socket's permissions allow it. */
    public record RootfulPodman(HostEnvironment host, Path socket) implements SocketStrategy {
        public int priority() { return 60; }
        public String description() { return "rootful Podman (" + socket + ")"; }

        public Candidate candidate() {
            if (host.isRoot() || (Files.isReadable(socket) && Files.isWritable(socket))) {
                return new Candidate.Proposed(socket, host.isRoot() ? "running as root" : "socket is accessible");
            }
            return new Candidate.NotApplicable("not root and " + socket + " is not accessible to this user");
        }
    }

    public record DockerDefault(Path socket) implements SocketStrategy {
        public int priority() { return 50; }
        public String description() { return "Docker (" + socket + ")"; }

        public Candidate candidate() {
            return new Candidate.Proposed(socket, "default location");
        }
    }
}
