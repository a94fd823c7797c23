package io.aixcl.core.secrets;

import io.aixcl.core.stack.ServiceSpec;
import java.util.List;

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
    };

    /** Ensures and writes the secret files of {@code services} of {@code stack}. */
    void deliver(String stack, List<ServiceSpec> services, SecretPolicies policies);

    /** Removes the files of {@code services}: their containers are gone, so nothing may read them any more. */
    void withdraw(String stack, List<ServiceSpec> services);
}
