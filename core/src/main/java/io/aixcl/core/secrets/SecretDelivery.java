package io.aixcl.core.secrets;

import io.aixcl.core.stack.ServiceSpec;
import java.util.List;
import java.util.Set;

/**
 * Hands secrets to containers as files, before they start: every secret the services declare is generated if it
 * is missing, then written where {@link io.aixcl.core.plan.ContainerSpecs} mounts it, readable only by the
 * container's user. Values never pass through the engine API, so an inspect shows only the {@code *_FILE} paths.
 */
public interface SecretDelivery {

    /** For tests and tools that start nothing that reads secrets. */
    SecretDelivery NONE = new SecretDelivery() {
        @Override
        public void deliver(String stack, List<ServiceSpec> services, SecretPolicies policies) {}

        @Override
        public void withdraw(String stack, List<ServiceSpec> services) {}

        @Override
        public void rewriteForRunning(String stack, ServiceSpec service, Set<String> secrets) {}
    };

    /** Ensures and writes the secret files of {@code services} of {@code stack}. */
    void deliver(String stack, List<ServiceSpec> services, SecretPolicies policies);

    /** Removes the files of {@code services}: their containers are gone, so nothing may read them any more. */
    void withdraw(String stack, List<ServiceSpec> services);

    /**
     * Rewrites the files of {@code secrets} that {@code service}'s running container mounts with the stored values,
     * in place, so that the running container sees them. {@link #deliver} replaces a file by renaming a new one over
     * it, which a running container does not see: its mount holds on to the old file until it restarts. For rotation
     * hooks, which must read the new value inside the service that still runs with the old one. The files must exist
     * (the container mounts them).
     */
    void rewriteForRunning(String stack, ServiceSpec service, Set<String> secrets);
}
