package io.aixcl.engine.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.aixcl.core.engine.ContainerState;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Maps an engine's inspect answer to the port's {@link ContainerState}. */
final class ContainerStates {
    private ContainerStates() {}

    static ContainerState of(InspectContainerResponse r) {
        var state = r.getState();
        var config = r.getConfig();
        Map<String, String> labels = config == null || config.getLabels() == null ? Map.of() : config.getLabels();
        String name = r.getName() == null ? "" : r.getName();
        Long exit = state == null ? null : state.getExitCodeLong();
        Integer restarts = r.getRestartCount();
        return new ContainerState(
                r.getId(),
                name.startsWith("/") ? name.substring(1) : name,
                config == null || config.getImage() == null ? r.getImageId() : config.getImage(),
                labels,
                status(state == null ? null : state.getStatus()),
                exit == null ? 0 : exit.intValue(),
                restarts == null ? 0 : restarts,
                time(state == null ? null : state.getStartedAt()),
                time(state == null ? null : state.getFinishedAt()),
                state != null && Boolean.TRUE.equals(state.getOOMKilled()));
    }

    static io.aixcl.core.engine.ContainerSecurity security(InspectContainerResponse r) {
        var config = r.getConfig();
        var host = r.getHostConfig();
        java.util.Map<String, String> env = new java.util.TreeMap<>();
        if (config != null && config.getEnv() != null) {
            for (String kv : config.getEnv()) {
                int eq = kv.indexOf('=');
                env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
            }
        }
        java.util.List<String> sources = r.getMounts() == null ? java.util.List.of() : r.getMounts().stream()
                .map(m -> m.getSource() != null ? m.getSource() : m.getName() == null ? "" : m.getName()).toList();
        java.util.List<String> caps = host == null || host.getCapAdd() == null ? java.util.List.of()
                : java.util.Arrays.stream(host.getCapAdd()).map(Object::toString).toList();
        String name = r.getName() == null ? "" : r.getName();
        return new io.aixcl.core.engine.ContainerSecurity(r.getId(), name.startsWith("/") ? name.substring(1) : name,
                config == null || config.getLabels() == null ? Map.of() : config.getLabels(),
                host != null && Boolean.TRUE.equals(host.getPrivileged()), sources, caps, env,
                host == null || host.getNetworkMode() == null ? "" : host.getNetworkMode(),
                config == null || config.getUser() == null ? "" : config.getUser());
    }

    static ContainerState.Status status(String engineStatus) {
        if (engineStatus == null) {
            return ContainerState.Status.UNKNOWN;
        }
        return switch (engineStatus.toLowerCase(Locale.ROOT)) {
            // Podman's own names, as its compat API sometimes lets them through.
            case "created", "configured", "initialized" -> ContainerState.Status.CREATED;
            case "running" -> ContainerState.Status.RUNNING;
            case "paused" -> ContainerState.Status.PAUSED;
            case "restarting" -> ContainerState.Status.RESTARTING;
            case "removing" -> ContainerState.Status.REMOVING;
            case "exited", "stopped" -> ContainerState.Status.EXITED;
            case "dead" -> ContainerState.Status.DEAD;
            default -> ContainerState.Status.UNKNOWN;
        };
    }

    /** Engines report "never" as the zero time (0001-01-01T00:00:00Z). */
    static Optional<Instant> time(String text) {
        if (text == null || text.isBlank() || text.startsWith("0001-01-01")) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
