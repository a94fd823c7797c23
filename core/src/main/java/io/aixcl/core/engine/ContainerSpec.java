package io.aixcl.core.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the engine is asked to create: engine-neutral, fully resolved. Security defaults are not optional here:
 * every container drops ALL capabilities and adds back only {@code capAdd}; none is privileged; none gets the
 * engine socket (there is no bind-mount field at all).
 */
public record ContainerSpec(
        String name,
        String image,
        List<String> command,
        Map<String, String> environment,
        Map<String, String> labels,
        List<Mount> mounts,
        List<String> tmpfs,
        boolean hostNetwork,
        Map<Integer, Integer> publishedLoopbackPorts, // host port (on 127.0.0.1) -> container port
        double cpus,
        long memoryBytes,
        long pids,
        List<String> capAdd,
        boolean readOnlyRootfs,
        Optional<String> user,
        String restartPolicy,
        int restartMaxRetries,
        boolean init,
        Optional<String> stopSignal,
        Duration stopTimeout) {

    public ContainerSpec {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(image, "image is null");
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        labels = Map.copyOf(labels);
        mounts = List.copyOf(mounts);
        tmpfs = List.copyOf(tmpfs);
        publishedLoopbackPorts = Map.copyOf(publishedLoopbackPorts);
        capAdd = List.copyOf(capAdd);
        Objects.requireNonNull(user, "user is null");
        Objects.requireNonNull(restartPolicy, "restartPolicy is null");
        Objects.requireNonNull(stopSignal, "stopSignal is null");
        Objects.requireNonNull(stopTimeout, "stopTimeout is null");
    }

    /** A named volume, or a secret file (read-only, from the daemon's runtime folder). */
    public sealed interface Mount permits VolumeMount, SecretFileMount {
        String containerPath();
    }

    public record VolumeMount(String volume, String containerPath, boolean readOnly) implements Mount {}

    /** A file the daemon wrote (mode 0400) and mounts read-only; only secrets use this. */
    public record SecretFileMount(String hostFile, String containerPath) implements Mount {}
}
