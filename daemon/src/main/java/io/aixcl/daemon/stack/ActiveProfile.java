package io.aixcl.daemon.stack;

import io.aixcl.api.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers which profile of which stack file was last started, so {@code status}, {@code stop} and
 * {@code doctor} without options talk about what is actually running rather than the defaults.
 */
public final class ActiveProfile {
    private final Path file;

    public record Active(String profile, Optional<Path> stackFile) {}

    public ActiveProfile(Path file) {
        this.file = file;
    }

    public synchronized Optional<Active> active() {
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            Map<?, ?> state = Json.MAPPER.readValue(file.toFile(), Map.class);
            Object profile = state.get("activeProfile");
            if (profile == null) {
                return Optional.empty();
            }
            Optional<Path> stackFile = Optional.ofNullable(state.get("stackFile")).map(String::valueOf).map(Path::of)
                    .filter(Path::isAbsolute);
            return Optional.of(new Active(String.valueOf(profile), stackFile));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a damaged state file only loses the memory of what ran last
        }
    }

    public Optional<String> get() {
        return active().map(Active::profile);
    }

    public synchronized void set(String profile, Optional<Path> stackFile) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Map<String, String> state = new LinkedHashMap<>();
            state.put("activeProfile", profile);
            stackFile.ifPresent(f -> state.put("stackFile", f.toString()));
            Json.MAPPER.writeValue(tmp.toFile(), state);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot record the active profile in " + file, e);
        }
    }
}
