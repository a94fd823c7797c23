package io.aixcl.secrets;

import io.aixcl.core.AixclException;
import io.aixcl.core.plan.ContainerNames;
import io.aixcl.core.plan.ContainerSpecs;
import io.aixcl.core.secrets.SecretDelivery;
import io.aixcl.core.secrets.SecretPolicies;
import io.aixcl.core.secrets.SecretStore;
import io.aixcl.core.stack.SecretRef;
import io.aixcl.core.stack.ServiceSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes each container's secrets as files in its own folder under the secrets folder: mode 0400, owned by the
 * container's user, replaced atomically (a running container keeps the file it mounted until it restarts). The
 * folder holds only what the service declares now: files of secrets it no longer uses are removed.
 *
 * <p>For a rotation hook, {@link #rewriteForRunning} writes new content into the same file instead, which a
 * running container's mount does show (seen on Podman, rootful and rootless).
 */
public final class FileSecretDelivery implements SecretDelivery {
    private static final Logger LOG = Logger.getLogger(FileSecretDelivery.class.getName());

    private final SecretStore store;
    private final Path secretsDir;
    private final Supplier<EngineMode> engineMode;
    private final CommandRunner commands;

    /**
     * @param engineMode asked on each delivery (the engine may be connected after the daemon starts)
     * @param commands   runs {@code podman unshare chown} for rootless Podman
     */
    public FileSecretDelivery(SecretStore store, Path secretsDir, Supplier<EngineMode> engineMode,
                              CommandRunner commands) {
        this.store = Objects.requireNonNull(store, "store is null");
        this.secretsDir = Objects.requireNonNull(secretsDir, "secretsDir is null");
        this.engineMode = Objects.requireNonNull(engineMode, "engineMode is null");
        this.commands = Objects.requireNonNull(commands, "commands is null");
    }

    @Override
    public synchronized void deliver(String stack, List<ServiceSpec> services, SecretPolicies policies) {
        EngineMode mode = null;
        for (ServiceSpec s : services) {
            if (s.secrets().isEmpty()) {
                continue;
            }
            ContainerUser user = ContainerUser.of(s);
            if (mode == null) {
                mode = engineMode.get();
            }
            Ownership ownership = Ownership.forContainer(mode, user, s.name().value());
            for (SecretRef ref : s.secrets()) {
                store.ensure(ref.name(), policies);
            }
            try {
                write(stack, s, ownership);
            } catch (IOException e) {
                throw new AixclException.Failed("cannot write the secret files of service '" + s.name() + "' in "
                        + folder(stack, s) + ": " + e.getMessage(), e);
            }
        }
    }

    private void write(String stack, ServiceSpec s, Ownership ownership) throws IOException {
        Path folder = AtomicFiles.privateDirectory(folder(stack, s));
        Map<Path, Path> tempToTarget = new LinkedHashMap<>();
        try {
            for (SecretRef ref : s.secrets()) {
                Path target = ContainerSpecs.secretFile(secretsDir, stack, s, ref);
                Path temp = AtomicFiles.createTemp(target);
                tempToTarget.put(temp, target);
                char[] value = store.reveal(ref.name());
                byte[] bytes = SecretValues.utf8(value);
                Arrays.fill(value, '\0');
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.wrap(bytes));
                    ch.force(true);
                } finally {
                    Arrays.fill(bytes, (byte) 0);
                }
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("r--------"));
            }
            give(new ArrayList<>(tempToTarget.keySet()), ownership);
            for (var e : tempToTarget.entrySet()) {
                AtomicFiles.rename(e.getKey(), e.getValue());
            }
        } finally {
            for (Path temp : tempToTarget.keySet()) {
                Files.deleteIfExists(temp);
            }
        }
        removeUndeclared(folder, s.secrets().stream().map(SecretRef::name).collect(Collectors.toSet()));
    }

    private void give(List<Path> files, Ownership ownership) throws IOException {
        switch (ownership) {
            case Ownership.Keep k -> { }
            case Ownership.Chown c -> {
                for (Path f : files) {
                    Files.setAttribute(f, "unix:uid", (int) c.user().uid());
                    if (c.user().gid().isPresent()) {
                        Files.setAttribute(f, "unix:gid", (int) c.user().gid().getAsLong());
                    }
                }
            }
            case Ownership.PodmanUnshareChown u -> {
                List<String> argv = new ArrayList<>(List.of("podman", "unshare", "chown", u.user().chownSpec()));
                files.forEach(f -> argv.add(f.toString()));
                CommandRunner.Result r = commands.run(argv);
                if (r.exitCode() != 0) {
                    throw new IOException("podman unshare chown " + u.user().chownSpec() + " failed (exit "
                            + r.exitCode() + "): " + r.output().strip());
                }
            }
        }
    }

    private static void removeUndeclared(Path folder, Set<String> declared) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (!declared.contains(name) && !name.startsWith(".")) {
                    Files.deleteIfExists(f);
                    LOG.info("removed secret file " + f + ": the service no longer declares it");
                }
            }
        }
    }

    /**
     * Not atomic, unlike {@link #deliver}: the file is truncated, then written, so a reader could see it empty or
     * half written for a moment. Only rotation hooks ask for it, for the one service that must apply the new value;
     * the hook reads the file after this returns, and the service itself reads its secret files when it starts.
     */
    @Override
    public synchronized void rewriteForRunning(String stack, ServiceSpec s, Set<String> secrets) {
        List<SecretRef> refs = s.secrets().stream().filter(ref -> secrets.contains(ref.name())).toList();
        if (refs.isEmpty()) {
            return;
        }
        Ownership ownership = Ownership.forContainer(engineMode.get(), ContainerUser.of(s), s.name().value());
        for (SecretRef ref : refs) {
            Path target = ContainerSpecs.secretFile(secretsDir, stack, s, ref);
            if (!Files.isRegularFile(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new AixclException.Failed("service '" + s.name() + "' has no file for secret '" + ref.name()
                        + "' to rewrite (" + target + "): its container was created before it declared that secret; "
                        + "restart the service, then try again", null);
            }
            char[] value = store.reveal(ref.name());
            byte[] bytes = SecretValues.utf8(value);
            Arrays.fill(value, '\0');
            try {
                rewriteInPlace(target, bytes, ownership);
            } catch (IOException e) {
                throw new AixclException.Failed("cannot rewrite the secret file " + target + " of service '"
                        + s.name() + "': " + e.getMessage(), e);
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }
    }

    /** Same file (inode), new content: what a bind mount of that file shows. Owner and mode stay as they are. */
    private void rewriteInPlace(Path target, byte[] content, Ownership ownership) throws IOException {
        switch (ownership) {
            case Ownership.Chown c -> overwrite(target, content); // the daemon is root: mode 0400 does not stop it
            case Ownership.Keep k -> {
                // The daemon owns the file; 0400 stops even its owner from writing, so open it up for the write.
                Files.setPosixFilePermissions(target, AtomicFiles.OWNER_READ_WRITE);
                try {
                    overwrite(target, content);
                } finally {
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r--------"));
                }
            }
            case Ownership.PodmanUnshareChown u -> {
                // Owned by a subordinate id: only the user namespace's root may write it. cp onto an existing file
                // truncates and writes that same file, keeping its owner and mode; the value travels in a file.
                Path temp = AtomicFiles.createTemp(target);
                try {
                    overwrite(temp, content);
                    CommandRunner.Result r = commands.run(List.of("podman", "unshare", "cp", temp.toString(),
                            target.toString()));
                    if (r.exitCode() != 0) {
                        throw new IOException("podman unshare cp failed (exit " + r.exitCode() + "): "
                                + r.output().strip());
                    }
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
        }
    }

    private static void overwrite(Path file, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
                java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    @Override
    public synchronized void withdraw(String stack, List<ServiceSpec> services) {
        for (ServiceSpec s : services) {
            Path folder = folder(stack, s);
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(folder)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                LOG.warning("cannot remove the secret files in " + folder + ": " + e.getMessage());
            }
        }
    }

    private Path folder(String stack, ServiceSpec s) {
        return secretsDir.resolve(ContainerNames.of(stack, s.name()));
    }
}
