package io.aixcl.it;

import io.aixcl.core.testing.TestImages.PodmanUser;

/**
 * The rotation hooks with the daemon as an unprivileged user on rootless Podman: the files of uid 1234 belong to a
 * subordinate id, so the running container's copy is rewritten with {@code podman unshare cp}.
 */
class RootlessRotationHookIT extends RotationHookIT {
    private final PodmanUser rootless = PodmanUser.rootless();

    @Override
    PodmanUser user() {
        return rootless;
    }
}
