package io.aixcl.core.secrets;

import java.time.Instant;
import java.util.List;

/**
 * Generated credentials, encrypted at rest. Values leave the store only through {@link #reveal} (an explicit,
 * audited act) and as files handed to containers; never in logs, audit entries, API responses or arguments.
 *
 * <p>How a value is made comes from the stack's {@link SecretPolicies}; the one-argument forms use the defaults
 * (a random password) and are for callers that have no stack at hand.
 */
public interface SecretStore {

    /** Names and ages, never values. */
    List<SecretInfo> list();

    /** Generates {@code name} when it does not exist yet; an existing secret is left as it is. */
    default SecretInfo ensure(String name) {
        return ensure(name, SecretPolicies.NONE);
    }

    /**
     * Generates {@code name} by its policy when it does not exist yet (the sources of a derived secret first); an
     * existing secret is left as it is.
     */
    SecretInfo ensure(String name, SecretPolicies policies);

    /** A new value for {@code name}; the old one is gone. */
    default SecretInfo rotate(String name) {
        return rotate(name, SecretPolicies.NONE).getFirst();
    }

    /**
     * A new value for {@code name}, then new values for every stored secret derived from it. Returns what changed,
     * {@code name} first. A derived secret cannot be rotated by itself: rotate its source.
     */
    List<SecretInfo> rotate(String name, SecretPolicies policies);

    /**
     * Like {@link #rotate(String, SecretPolicies)}, but what it replaced can be put back until the returned rotation
     * is closed: for a rotation that is complete only once running services have applied it (a rotation hook).
     */
    Rotation rotateRevertibly(String name, SecretPolicies policies);

    /** A rotation that has happened and can still be undone. Closing it forgets the previous values. */
    interface Rotation extends AutoCloseable {

        /** What changed, the rotated secret first, then the secrets derived from it. */
        List<SecretInfo> changed();

        /**
         * Puts the previous value of every changed secret back, each as a new version (a version number never goes
         * back): the store again holds what the services accepted before. At most once.
         */
        List<SecretInfo> revert();

        @Override
        void close();
    }

    /** The value itself, for the few places that must have it (file delivery, an explicit 'secrets show'). */
    char[] reveal(String name);

    record SecretInfo(String name, Instant created, Instant rotated) {}
}
