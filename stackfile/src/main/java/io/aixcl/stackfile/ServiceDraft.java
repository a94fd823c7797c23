package io.aixcl.stackfile;

import io.aixcl.core.stack.Dependency;
import io.aixcl.core.stack.HealthCheck;
import io.aixcl.core.stack.ImageRef;
import io.aixcl.core.stack.Resources;
import io.aixcl.core.stack.RestartPolicy;
import io.aixcl.core.stack.Role;
import io.aixcl.core.stack.SecretRef;
import io.aixcl.core.stack.ServiceName;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.core.stack.VolumeMount;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A service as one file declares it: null means "not said here". A user's draft is laid over the catalog's field by
 * field; {@code at} remembers where each field came from so checks made after merging point at the right file.
 */
record ServiceDraft(
        ServiceName name,
        Where where,
        Role role,
        String description,
        ImageRef image,
        List<String> command,
        Map<String, String> environment,
        List<SecretRef> secrets,
        List<VolumeMount> volumes,
        List<String> tmpfs,
        List<Integer> ports,
        HealthDraft health,
        List<DependencyDraft> dependsOn,
        ResourcesDraft resources,
        RestartPolicy restart,
        List<String> capAdd,
        Boolean readOnly,
        String user,
        Duration stopTimeout,
        String stopSignal,
        Boolean init,
        Set<EngineApiOperation> engineApi,
        Map<String, Where> at) {

    record HealthDraft(HealthCheck.Probe probe, Duration interval, Duration timeout, Integer retries,
                       Duration startPeriod) {
        HealthDraft over(HealthDraft base) {
            if (base == null) {
                return this;
            }
            return new HealthDraft(or(probe, base.probe), or(interval, base.interval), or(timeout, base.timeout),
                    or(retries, base.retries), or(startPeriod, base.startPeriod));
        }

        HealthCheck toHealthCheck() {
            return new HealthCheck(probe, or(interval, HealthCheck.DEFAULT_INTERVAL),
                    or(timeout, HealthCheck.DEFAULT_TIMEOUT), or(retries, HealthCheck.DEFAULT_RETRIES),
                    or(startPeriod, HealthCheck.DEFAULT_START_PERIOD));
        }
    }

    record DependencyDraft(ServiceName service, Dependency.Condition condition, Where where) {}

    record ResourcesDraft(Double cpus, Long memoryBytes, Long pids) {
        ResourcesDraft over(ResourcesDraft base) {
            if (base == null) {
                return this;
            }
            return new ResourcesDraft(or(cpus, base.cpus), or(memoryBytes, base.memoryBytes), or(pids, base.pids));
        }

        Resources toResources() {
            return new Resources(or(cpus, 0.0), or(memoryBytes, 0L), or(pids, 0L));
        }
    }

    /** This draft laid over {@code base}: what this one says wins; environment, resources and health merge by key. */
    ServiceDraft over(ServiceDraft base) {
        Map<String, String> env = environment;
        if (base.environment != null && environment != null) {
            env = new LinkedHashMap<>(base.environment);
            env.putAll(environment);
        }
        Map<String, Where> positions = new HashMap<>(base.at);
        positions.putAll(at);
        return new ServiceDraft(name, base.where, or(role, base.role), or(description, base.description),
                or(image, base.image), or(command, base.command), or(env, base.environment),
                or(secrets, base.secrets), or(volumes, base.volumes), or(tmpfs, base.tmpfs), or(ports, base.ports),
                health == null ? base.health : health.over(base.health), or(dependsOn, base.dependsOn),
                resources == null ? base.resources : resources.over(base.resources), or(restart, base.restart),
                or(capAdd, base.capAdd), or(readOnly, base.readOnly), or(user, base.user),
                or(stopTimeout, base.stopTimeout), or(stopSignal, base.stopSignal), or(init, base.init),
                or(engineApi, base.engineApi), positions);
    }

    ServiceDraft withRole(Role newRole) {
        return new ServiceDraft(name, where, newRole, description, image, command, environment, secrets, volumes, tmpfs,
                ports, health, dependsOn, resources, restart, capAdd, readOnly, user, stopTimeout, stopSignal, init,
                engineApi, at);
    }

    ServiceDraft renamed(ServiceName newName) {
        return new ServiceDraft(newName, where, role, description, image, command, environment, secrets, volumes,
                tmpfs, ports, health, dependsOn, resources, restart, capAdd, readOnly, user, stopTimeout, stopSignal,
                init, engineApi, at);
    }

    List<DependencyDraft> dependencies() {
        return dependsOn == null ? List.of() : dependsOn;
    }

    List<Integer> declaredPorts() {
        return ports == null ? List.of() : ports;
    }

    /** Where {@code field} was said, or where the service itself was. */
    Where at(String field) {
        return at.getOrDefault(field, where);
    }

    /** The resolved spec, with defaults for everything no file said. Call only on a draft that passed validation. */
    ServiceSpec toSpec() {
        return new ServiceSpec(name, or(role, Role.OPERATIONAL), or(description, ""), image, or(command, List.of()),
                or(environment, Map.of()), or(secrets, List.of()), or(volumes, List.of()), or(tmpfs, List.of()),
                declaredPorts(), Optional.ofNullable(health).map(HealthDraft::toHealthCheck),
                dependencies().stream().map(d -> new Dependency(d.service(), d.condition())).toList(),
                resources == null ? Resources.UNLIMITED : resources.toResources(), or(restart, RestartPolicy.UNLESS_STOPPED),
                or(capAdd, List.of()), or(readOnly, false), Optional.ofNullable(user),
                or(stopTimeout, ServiceSpec.DEFAULT_STOP_TIMEOUT), Optional.ofNullable(stopSignal), or(init, true));
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
