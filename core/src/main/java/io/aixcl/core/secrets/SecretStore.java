package io.aixcl.core.secrets;

import java.time.Instant;
import java.util.List;

/**
 * Generated credentials, encrypted at rest. Values leave the store only through {@link #reveal} (an explicit,
 * audited act) and as files handed to containers; never in logs, audit entries, API responses or arguments.
 */
public interface SecretStore {

    /** Names and ages, never values. */
    List<SecretInfo> list();

    /** Generates {@code name} when it does not exist yet; an existing secret is left as it is. */
    SecretInfo ensure(String name);

    /** A new value for {@code name}; the old one is gone. */
    SecretInfo rotate(String name);

    /** The value itself, for the few places that must have it (file delivery, an explicit 'secrets show'). */
    char[] reveal(String name);

    record SecretInfo(String name, Instant created, Instant rotated) {}
}
