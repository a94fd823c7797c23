package io.aixcl.secrets;

import io.aixcl.core.AixclException;

/**
 * How a secret file becomes owned by the container's user. Rootful, container uid N is host uid N: the daemon (root)
 * chowns. Rootless, container root is the daemon's own user and uid N is a subordinate id that only the user
 * namespace can name: {@code podman unshare chown} does it there.
 */
sealed interface Ownership {

    /** The daemon's user already is the container's user. */
    record Keep() implements Ownership {}

    record Chown(ContainerUser user) implements Ownership {}

    record PodmanUnshareChown(ContainerUser user) implements Ownership {}

    static Ownership forContainer(EngineMode mode, ContainerUser user, String service) {
        if (mode.rootless()) {
            if (user.isRoot()) {
                return new Keep();
            }
            if (!mode.isPodman()) {
                throw new AixclException.Failed("service '" + service + "' runs as uid " + user.uid() + " on rootless "
                        + mode.engine() + ": aixcl can hand it secret files only on rootless Podman or a rootful engine",
                        null);
            }
            return new PodmanUnshareChown(user);
        }
        if (mode.daemonUid() == 0) {
            return user.isRoot() ? new Keep() : new Chown(user);
        }
        if (user.uid() == mode.daemonUid() && user.gid().isEmpty()) {
            return new Keep();
        }
        throw new AixclException.Failed("service '" + service + "' runs as uid " + user.chownSpec() + " on a rootful "
                + "engine, but aixcld runs as uid " + mode.daemonUid() + " and cannot give it a file: run aixcld as "
                + "root for a rootful engine, or use rootless Podman", null);
    }
}
