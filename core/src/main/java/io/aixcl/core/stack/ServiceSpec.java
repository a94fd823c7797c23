package io.aixcl.core.stack;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One service of a stack, fully resolved (catalog merged with the user's stack file). Every service uses host
 * networking and is configured to bind 127.0.0.1 itself; {@code ports} are the ports it will listen on there.
 */
public record ServiceSpec(
        ServiceName name,
        Role role,
        String description,
        ImageRef image,
        List<String> command,
        Map<String, String> environment,
        List<SecretRef> secrets,
        List<VolumeMount> volumes,
        List<String> tmpfs,
        List<Integer> ports,
        Optional<HealthCheck> health,
        List<Dependency> dependsOn,
        Resources resources,
        RestartPolicy restart,
        List<String> capAdd,
        boolean readOnlyRootfs,
        Optional<String> user,
        Duration stopTimeout,
        Optional<String> stopSignal,
        boolean init) {

    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

    public ServiceSpec {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(role, "role is null");
        Objects.requireNonNull(image, "image is null");
        description = description == null ? "" : description;
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
        secrets = List.copyOf(secrets);
        volumes = List.copyOf(volumes);
        tmpfs = List.copyOf(tmpfs);
        ports = List.copyOf(ports);
        Objects.requireNonNull(health, "health is null");
        dependsOn = List.copyOf(dependsOn);
        Objects.requireNonNull(resources, "resources is null");
        Objects.requireNonNull(restart, "restart is null");
        capAdd = List.copyOf(capAdd);
        Objects.requireNonNull(user, "user is null");
        Objects.requireNonNull(stopTimeout, "stopTimeout is null");
        Objects.requireNonNull(stopSignal, "stopSignal is null");
    }

    /** A minimal spec, for building fixtures and catalog entries in code. */
    public static ServiceSpec minimal(String name, Role role, String image) {
        return new ServiceSpec(ServiceName.of(name), role, "", new ImageRef(image), List.of(), Map.of(), List.of(),
                List.of(), List.of(), List.of(), Optional.empty(), List.of(), Resources.UNLIMITED,
                RestartPolicy.UNLESS_STOPPED, List.of(), false, Optional.empty(), DEFAULT_STOP_TIMEOUT,
                Optional.empty(), true);
    }

    public ServiceSpec withImage(ImageRef newImage) {
        return new ServiceSpec(name, role, description, newImage, command, environment, secrets, volumes, tmpfs, ports,
                health, dependsOn, resources, restart, capAdd, readOnlyRootfs, user, stopTimeout, stopSignal, init);
    }

    public ServiceSpec withCommand(List<String> newCommand) {
        return new ServiceSpec(name, role, description, image, newCommand, environment, secrets, volumes, tmpfs, ports,
                health, dependsOn, resources, restart, capAdd, readOnlyRootfs, user, stopTimeout, stopSignal, init);
    }

    public ServiceSpec withEnvironment(Map<String, String> newEnvironment) {
        return new ServiceSpec(name, role, description, image, command, newEnvironment, secrets, volumes, tmpfs, ports,
                health, dependsOn, resources, restart, capAdd, readOnlyRootfs, user, stopTimeout, stopSignal, init);
    }

    public ServiceSpec withPorts(List<Integer> newPorts) {
        return new ServiceSpec(name, role, description, image, command, environment, secrets, volumes, tmpfs, newPorts,
                health, dependsOn, resources, restart, capAdd, readOnlyRootfs, user, stopTimeout, stopSignal, init);
    }

    public ServiceSpec withHealth(HealthCheck newHealth) {
        return new ServiceSpec(name, role, description, image, command, environment, secrets, volumes, tmpfs, ports,
                Optional.ofNullable(newHealth), dependsOn, resources, restart, capAdd, readOnlyRootfs, user,
                stopTimeout, stopSignal, init);
    }

    public ServiceSpec withDependsOn(List<Dependency> newDependsOn) {
        return new ServiceSpec(name, role, description, image, command, environment, secrets, volumes, tmpfs, ports,
                health, newDependsOn, resources, restart, capAdd, readOnlyRootfs, user, stopTimeout, stopSignal, init);
    }

    public ServiceSpec withResources(Resources newResources) {
        return new ServiceSpec(name, role, description, image, command, environment, secrets, volumes, tmpfs, ports,
                health, dependsOn, newResources, restart, capAdd, readOnlyRootfs, user, stopTimeout, stopSignal, init);
    }

    public ServiceSpec withVolumes(List<VolumeMount> newVolumes) {
        return new ServiceSpec(name, role, description, image, command, environment, secrets, newVolumes, tmpfs, ports,
                health, dependsOn, resources, restart, capAdd, readOnlyRootfs, user, stopTimeout, stopSignal, init);
    }

    public ServiceSpec withSecurity(List<String> newCapAdd, boolean newReadOnlyRootfs, Optional<String> newUser) {
        return new ServiceSpec(name, role, description, image, command, environment, secrets, volumes, tmpfs, ports,
                health, dependsOn, resources, restart, newCapAdd, newReadOnlyRootfs, newUser, stopTimeout, stopSignal,
                init);
    }
}
