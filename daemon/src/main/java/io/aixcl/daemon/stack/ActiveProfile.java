package io.aixcl.daemon.stack;

import io.aixcl.api.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers which profile was last started, so {@code status} and {@code stop} without {@code --profile} talk
 * about what is actually running rather than the default.
 */
public final class ActiveProfile {
    private final Path file;

    public ActiveProfile(Path file) {
        this.file = file;
    }

    public synchronized Optional<String> get() {
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            Map<?, ?> state = Json.MAPPER.readValue(file.toFile(), Map.class);
            return Optional.ofNullable(state.get("activeProfile")).map(String::valueOf);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public synchronized void set(String profile) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Json.MAPPER.writeValue(tmp.toFile(), Map.of("activeProfile", profile));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot record the active profile in " + file, e);
        }
    }
}
