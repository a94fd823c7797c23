package io.aixcl.core.stack;

import io.aixcl.core.AixclException;
import io.aixcl.core.secrets.SecretPolicies;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The whole declared stack: the catalog merged with the user's stack file. Validated before it is built, so a
 * definition that exists is internally consistent (names resolve, no cycles, every profile has the runtime core).
 * {@code secretPolicies} says how each secret is generated (the stack file's {@code secrets:} section).
 */
public record StackDefinition(String name, Map<ServiceName, ServiceSpec> services, Map<String, Profile> profiles,
                              String defaultProfile, SecretPolicies secretPolicies) {

    public StackDefinition {
        Objects.requireNonNull(name, "name is null");
        services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
        profiles = Collections.unmodifiableMap(new LinkedHashMap<>(profiles));
        Objects.requireNonNull(defaultProfile, "defaultProfile is null");
        Objects.requireNonNull(secretPolicies, "secretPolicies is null");
    }

    /** A stack whose secrets all get the default policy. */
    public StackDefinition(String name, Map<ServiceName, ServiceSpec> services, Map<String, Profile> profiles,
                           String defaultProfile) {
        this(name, services, profiles, defaultProfile, SecretPolicies.NONE);
    }

    public Profile profile(String profileName) {
        Profile p = profiles.get(profileName == null ? defaultProfile : profileName);
        if (p == null) {
            throw new AixclException.NotFound("unknown profile '" + profileName + "': known profiles are "
                    + String.join(", ", profiles.keySet()));
        }
        return p;
    }

    public ServiceSpec service(ServiceName serviceName) {
        ServiceSpec s = services.get(serviceName);
        if (s == null) {
            throw new AixclException.NotFound("unknown service '" + serviceName + "'");
        }
        return s;
    }
}
