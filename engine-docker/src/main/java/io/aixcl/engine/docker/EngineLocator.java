package io.aixcl.engine.docker;

import io.aixcl.core.AixclException;
import io.aixcl.engine.docker.SocketStrategy.Candidate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Finds the engine's API socket: tries the strategies by priority and takes the first socket that answers; when
 * none does but Podman is installed, starts Podman's API service in the daemon's runtime folder.
 */
public final class EngineLocator {
    static final String INSTALL_HINT = "install Podman with: apt-get install -y podman runc, and configure"
            + " /etc/containers/containers.conf (or ~/.config/containers/containers.conf) with"
            + " [containers] default_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"] and [engine] runtime ="
            + " \"runc\" where the kernel needs them";

    private final List<SocketStrategy> strategies;
    private final SocketProbe probe;
    private final HostEnvironment host;
    private final Optional<Path> serviceDir;
    private final Duration serviceStartTimeout;

    /**
     * @param serviceDir where to run Podman's API service when no socket answers (the daemon's runtime folder);
     *                   empty to never start one
     */
    public EngineLocator(List<SocketStrategy> strategies, SocketProbe probe, HostEnvironment host,
            Optional<Path> serviceDir, Duration serviceStartTimeout) {
        this.strategies = strategies.stream().sorted(Comparator.comparingInt(SocketStrategy::priority).reversed())
                .toList();
        this.probe = probe;
        this.host = host;
        this.serviceDir = serviceDir;
        this.serviceStartTimeout = serviceStartTimeout;
    }

    public EngineLocation locate() {
        List<Consideration> considered = new ArrayList<>();
        for (SocketStrategy strategy : strategies) {
            switch (strategy.candidate()) {
                case Candidate.NotApplicable(String reason) ->
                        considered.add(new Consideration(strategy.priority(), strategy.description(),
                                "not applicable: " + reason));
                case Candidate.Proposed(Path socket, String source) -> {
                    Optional<String> problem = probe.problem(socket);
                    if (problem.isEmpty()) {
                        considered.add(new Consideration(strategy.priority(), strategy.description(),
                                "selected: " + socket + " answers (" + source + ")"));
                        return new EngineLocation(socket, strategy.description(), considered, Optional.empty());
                    }
                    considered.add(new Consideration(strategy.priority(), strategy.description(),
                            "no engine: " + problem.get()));
                    if (strategy.authoritative()) {
                        throw unavailable("the configured engine socket does not answer", considered);
                    }
                }
            }
        }
        return startPodmanService(considered);
    }

    private EngineLocation startPodmanService(List<Consideration> considered) {
        String description = "Podman API service started by aixcl";
        if (serviceDir.isEmpty()) {
            considered.add(new Consideration(0, description, "not applicable: disabled"));
            throw unavailable("no container engine answers", considered);
        }
        Optional<Path> podman = host.findOnPath("podman");
        if (podman.isEmpty()) {
            considered.add(new Consideration(0, description, "not applicable: podman is not on PATH"
                    + host.findOnPath("docker").map(d -> " (docker is, at " + d + ", but its daemon is not running:"
                    + " start it, or install Podman)").orElse("")));
            throw unavailable("no container engine found", considered);
        }
        Path socket = serviceDir.get().resolve("podman.sock");
        PodmanService service = PodmanService.start(PodmanService.command(podman.get(), socket), socket,
                serviceStartTimeout, probe);
        considered.add(new Consideration(0, description, "selected: started " + podman.get() + " system service"
                + " (pid " + service.pid() + ") on " + socket));
        return new EngineLocation(socket, description, considered, Optional.of(service));
    }

    private static AixclException.EngineUnavailable unavailable(String what, List<Consideration> considered) {
        StringBuilder message = new StringBuilder(what).append(". Tried:");
        considered.forEach(c -> message.append("\n  - ").append(c));
        message.append("\nTo fix: ").append(INSTALL_HINT)
                .append("; or point aixcl at a running engine's socket (setting engine.socket, CONTAINER_HOST or"
                        + " DOCKER_HOST=unix:///path/to/socket).");
        return new AixclException.EngineUnavailable(message.toString(), null);
    }
}
