package io.aixcl.core.stack;

import java.util.Objects;
import java.util.Optional;

/**
 * A secret a service reads from a file: mounted read-only at {@code /run/secrets/NAME}, with {@code fileEnv}
 * (for example {@code POSTGRES_PASSWORD_FILE}), when given, pointing at it. Values never travel as environment
 * values. {@code onRotate} is what the running service must run when the value changes (see {@link RotationHook}).
 */
public record SecretRef(String name, Optional<String> fileEnv, Optional<RotationHook> onRotate) {

    public SecretRef {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(fileEnv, "fileEnv is null");
        Objects.requireNonNull(onRotate, "onRotate is null");
    }

    /** A file pointed at by {@code fileEnv}, without a rotation hook: what most services declare. */
    public SecretRef(String name, String fileEnv) {
        this(name, Optional.of(fileEnv), Optional.empty());
    }

    public String containerPath() {
        return "/run/secrets/" + name;
    }
}
