package io.aixcl.engine.docker;

import io.aixcl.core.AixclException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The only bind mounts aixcl makes are secret files the daemon wrote under its secrets folder. Anything else a
 * spec names (the engine socket, a home folder, a symlink out of the folder) is refused, so a bad stack file or
 * a bug cannot hand a container the host.
 */
public final class SecretMountPolicy {
    private final Path secretsDir;

    public SecretMountPolicy(Path secretsDir) {
        this.secretsDir = Objects.requireNonNull(secretsDir, "secretsDir is null").toAbsolutePath().normalize();
    }

    /** The real path of {@code hostFile} to bind, after checking it is a regular file inside the secrets folder. */
    public Path check(String hostFile, String containerPath) {
        Path file = Path.of(hostFile);
        if (!file.isAbsolute() || !file.normalize().equals(file)) {
            throw refused(hostFile, "not a normalized absolute path");
        }
        if (!containerPath.startsWith("/")) {
            throw refused(hostFile, "container path " + containerPath + " is not absolute");
        }
        if (!file.startsWith(secretsDir)) {
            throw refused(hostFile, "outside the secrets folder " + secretsDir);
        }
        try {
            // Real paths defeat symlinks that point out of the folder.
            Path real = file.toRealPath();
            if (!real.startsWith(secretsDir.toRealPath()) || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                throw refused(hostFile, "not a regular file inside " + secretsDir);
            }
            return real;
        } catch (IOException e) {
            throw refused(hostFile, "cannot be read (" + e.getMessage() + ")");
        }
    }

    private static AixclException.InvalidInput refused(String hostFile, String why) {
        return new AixclException.InvalidInput("secret file mount " + hostFile + " refused: " + why);
    }
}
