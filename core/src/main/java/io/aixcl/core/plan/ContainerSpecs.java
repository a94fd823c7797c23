package io.aixcl.core.plan;

import io.aixcl.core.engine.ContainerSpec;
import io.aixcl.core.stack.SecretRef;
import io.aixcl.core.stack.ServiceSpec;
import io.aixcl.core.stack.VolumeMount;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Derives the engine-level container spec of a service, with its labels and the hash that detects changes. */
public final class ContainerSpecs {
    private ContainerSpecs() {}

    /**
     * @param secretsDir where the daemon writes secret files; each declared secret becomes a read-only mount of
     *                   {@link #secretFile} and, when it names one, a {@code *_FILE} variable pointing at it
     */
    public static ContainerSpec of(String stack, ServiceSpec s, Path secretsDir) {
        Map<String, String> env = new TreeMap<>(s.environment());
        List<ContainerSpec.Mount> mounts = new ArrayList<>();
        for (VolumeMount v : s.volumes()) {
            mounts.add(new ContainerSpec.VolumeMount(ContainerNames.volume(stack, v.volume()), v.containerPath(),
                    v.readOnly()));
        }
        for (SecretRef secret : s.secrets()) {
            mounts.add(new ContainerSpec.SecretFileMount(secretFile(secretsDir, stack, s, secret).toString(),
                    secret.containerPath()));
            secret.fileEnv().ifPresent(variable -> env.put(variable, secret.containerPath()));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.MANAGED_BY, "aixcl");
        labels.put(Labels.STACK, stack);
        labels.put(Labels.SERVICE, s.name().value());
        ContainerSpec unhashed = new ContainerSpec(ContainerNames.of(stack, s.name()), s.image().value(), s.command(),
                env, labels, mounts, s.tmpfs(), true, Map.of(), s.resources().cpus(), s.resources().memoryBytes(),
                s.resources().pids(), s.capAdd(), s.readOnlyRootfs(), s.user(), s.restart().kind().wireName(),
                s.restart().maxRetries(), s.init(), s.stopSignal(), s.stopTimeout());
        labels.put(Labels.SPEC_HASH, hash(unhashed));
        return new ContainerSpec(unhashed.name(), unhashed.image(), unhashed.command(), unhashed.environment(), labels,
                unhashed.mounts(), unhashed.tmpfs(), unhashed.hostNetwork(), unhashed.publishedLoopbackPorts(),
                unhashed.cpus(), unhashed.memoryBytes(), unhashed.pids(), unhashed.capAdd(), unhashed.readOnlyRootfs(),
                unhashed.user(), unhashed.restartPolicy(), unhashed.restartMaxRetries(), unhashed.init(),
                unhashed.stopSignal(), unhashed.stopTimeout());
    }

    /**
     * Where the daemon writes {@code secret} for one container: a folder per container, because each copy is owned
     * by that container's user (two services sharing a password may run as different users).
     */
    public static Path secretFile(Path secretsDir, String stack, ServiceSpec s, SecretRef secret) {
        return secretsDir.resolve(ContainerNames.of(stack, s.name())).resolve(secret.name());
    }

    /** A stable hash of everything that, when changed, requires the container to be recreated. */
    static String hash(ContainerSpec c) {
        StringBuilder b = new StringBuilder();
        b.append("image=").append(c.image()).append('\n');
        b.append("command=").append(String.join("\u0000", c.command())).append('\n');
        new TreeMap<>(c.environment()).forEach((k, v) -> b.append("env=").append(k).append('=').append(v).append('\n'));
        new TreeMap<>(c.labels()).forEach((k, v) -> b.append("label=").append(k).append('=').append(v).append('\n'));
        c.mounts().forEach(m -> b.append("mount=").append(m).append('\n'));
        b.append("tmpfs=").append(c.tmpfs()).append('\n');
        b.append("net=").append(c.hostNetwork()).append(new TreeMap<>(c.publishedLoopbackPorts())).append('\n');
        b.append("limits=").append(c.cpus()).append(',').append(c.memoryBytes()).append(',').append(c.pids()).append('\n');
        b.append("security=").append(c.capAdd()).append(',').append(c.readOnlyRootfs()).append(',').append(c.user())
                .append('\n');
        b.append("restart=").append(c.restartPolicy()).append(':').append(c.restartMaxRetries()).append('\n');
        b.append("init=").append(c.init()).append(",stop=").append(c.stopSignal()).append(',')
                .append(c.stopTimeout().toMillis()).append('\n');
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
