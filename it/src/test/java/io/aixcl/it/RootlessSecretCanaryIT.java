package io.aixcl.it;

import io.aixcl.core.testing.TestImages.PodmanUser;

/**
 * The secret canary with the daemon as an unprivileged user on rootless Podman: container uid 1234 is a subordinate
 * id on the host, so the files are handed over with {@code podman unshare chown}.
 */
class RootlessSecretCanaryIT extends SecretCanaryIT {
    private final PodmanUser rootless = PodmanUser.rootless();

    @Override
    PodmanUser user() {
        return rootless;
    }
}
