package io.aixcl.engine.docker;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.RestartPolicy;
import io.aixcl.core.AixclException;
import io.aixcl.core.engine.ContainerSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps an engine-neutral {@link ContainerSpec} onto a create request. The security settings are not derived from
 * the spec's goodwill: every container drops ALL capabilities, is never privileged, and gets no bind mount but
 * its checked secret files.
 */
final class ContainerCreation {
    static final String LOOPBACK = "127.0.0.1";

    private ContainerCreation() {}

    static CreateContainerCmd apply(CreateContainerCmd cmd, ContainerSpec spec, SecretMountPolicy secrets) {
        cmd.withName(spec.name())
                .withLabels(new TreeMap<>(spec.labels()))
                .withEnv(new TreeMap<>(spec.environment()).entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue()).toList())
                .withStopTimeout(Math.toIntExact(Math.max(0, spec.stopTimeout().toSeconds())))
                .withHostConfig(hostConfig(spec, secrets));
        if (!spec.command().isEmpty()) {
            cmd.withCmd(spec.command());
        }
        spec.user().ifPresent(cmd::withUser);
        spec.stopSignal().ifPresent(cmd::withStopSignal);
        if (!spec.publishedLoopbackPorts().isEmpty()) {
            cmd.withExposedPorts(spec.publishedLoopbackPorts().values().stream().distinct().map(ExposedPort::tcp)
                    .toList());
        }
        return cmd;
    }

    static HostConfig hostConfig(ContainerSpec spec, SecretMountPolicy secrets) {
        HostConfig host = HostConfig.newHostConfig()
                .withPrivileged(false)
                .withCapDrop(Capability.ALL)
                // setuid binaries cannot regain what CapDrop took away.
                .withSecurityOpts(java.util.List.of("no-new-privileges"))
                .withCapAdd(spec.capAdd().stream().map(ContainerCreation::capability).toArray(Capability[]::new))
                .withReadonlyRootfs(spec.readOnlyRootfs())
                .withInit(spec.init())
                .withRestartPolicy(restartPolicy(spec.restartPolicy(), spec.restartMaxRetries()))
                .withMounts(mounts(spec, secrets));
        if (spec.publishedLoopbackPorts().isEmpty()) {
            host.withNetworkMode(spec.hostNetwork() ? "host" : "bridge");
        } else {
            // Published ports need a network namespace of their own; they bind loopback only (local first).
            Ports ports = new Ports();
            // Keyed by host port: a host port can be bound once, a container port may be published twice.
            new TreeMap<>(spec.publishedLoopbackPorts()).forEach((hostPort, containerPort) -> ports.bind(
                    ExposedPort.tcp(containerPort), Ports.Binding.bindIpAndPort(LOOPBACK, hostPort)));
            host.withNetworkMode("bridge").withPortBindings(ports);
        }
        if (spec.memoryBytes() > 0) {
            host.withMemory(spec.memoryBytes());
        }
        if (spec.cpus() > 0) {
            host.withNanoCPUs(Math.round(spec.cpus() * 1_000_000_000d));
        }
        if (spec.pids() > 0) {
            host.withPidsLimit(spec.pids());
        }
        if (!spec.tmpfs().isEmpty()) {
            host.withTmpFs(tmpfs(spec.tmpfs()));
        }
        return host;
    }

    private static List<Mount> mounts(ContainerSpec spec, SecretMountPolicy secrets) {
        List<Mount> mounts = new ArrayList<>();
        for (ContainerSpec.Mount m : spec.mounts()) {
            mounts.add(switch (m) {
                case ContainerSpec.VolumeMount v -> new Mount().withType(MountType.VOLUME).withSource(v.volume())
                        .withTarget(v.containerPath()).withReadOnly(v.readOnly());
                case ContainerSpec.SecretFileMount s -> new Mount().withType(MountType.BIND)
                        .withSource(secrets.check(s.hostFile(), s.containerPath()).toString())
                        .withTarget(s.containerPath()).withReadOnly(true);
            });
        }
        return mounts;
    }

    /** Entries are {@code /path} or {@code /path:options}, as in Compose. */
    static Map<String, String> tmpfs(List<String> entries) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String entry : entries) {
            int colon = entry.indexOf(':');
            String path = colon < 0 ? entry : entry.substring(0, colon);
            if (!path.startsWith("/")) {
                throw new AixclException.InvalidInput("tmpfs path " + path + " is not absolute");
            }
            map.put(path, colon < 0 ? "" : entry.substring(colon + 1));
        }
        return map;
    }

    static Capability capability(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        n = n.startsWith("CAP_") ? n.substring(4) : n;
        try {
            Capability c = Capability.valueOf(n);
            if (c == Capability.ALL) {
                throw new AixclException.InvalidInput("cap_add ALL is refused: add the capabilities a service needs");
            }
            return c;
        } catch (IllegalArgumentException e) {
            throw new AixclException.InvalidInput("unknown capability " + name);
        }
    }

    static RestartPolicy restartPolicy(String policy, int maxRetries) {
        String p = policy.trim().toLowerCase(Locale.ROOT);
        if (p.startsWith("on-failure:")) {
            maxRetries = Integer.parseInt(p.substring("on-failure:".length()));
            p = "on-failure";
        }
        return switch (p) {
            case "", "no" -> RestartPolicy.noRestart();
            case "always" -> RestartPolicy.alwaysRestart();
            case "unless-stopped" -> RestartPolicy.unlessStoppedRestart();
            case "on-failure" -> RestartPolicy.onFailureRestart(maxRetries);
            default -> throw new AixclException.InvalidInput("unknown restart policy " + policy);
        };
    }
}
