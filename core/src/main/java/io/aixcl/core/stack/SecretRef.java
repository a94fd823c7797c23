package io.aixcl.core.stack;

/**
 * A secret a service reads from a file: mounted read-only at {@code /run/secrets/NAME}, with {@code fileEnv}
 * (for example {@code POSTGRES_PASSWORD_FILE}) pointing at it. Values never travel as environment values.
 */
public record SecretRef(String name, String fileEnv) {
    public String containerPath() {
        return "/run/secrets/" + name;
    }
}
