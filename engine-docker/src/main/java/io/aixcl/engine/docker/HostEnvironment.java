package io.aixcl.engine.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The facts about the host that engine discovery depends on, gathered in one place so discovery is a pure
 * function of them and tests can inject any environment.
 */
public record HostEnvironment(Map<String, String> env, long uid) {

    public HostEnvironment {
        env = Map.copyOf(Objects.requireNonNull(env, "env is null"));
    }

    /** The real process environment and user; only the composition root calls this. */
    public static HostEnvironment current() {
        long uid;
        try {
            uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            uid = -1;
        }
        return new HostEnvironment(System.getenv(), uid);
    }

    public boolean isRoot() {
        return uid == 0;
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
    }

    /** The first executable {@code program} in {@code $PATH}, as a shell would find it. */
    public Optional<Path> findOnPath(String program) {
        for (String dir : get("PATH").orElse("/usr/local/bin:/usr/bin:/bin").split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
