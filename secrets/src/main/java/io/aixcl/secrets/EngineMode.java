package io.aixcl.secrets;

/**
 * What decides how a file comes to be owned by a container's user: whether the engine maps user ids (rootless),
 * which engine it is, and who the daemon runs as.
 */
public record EngineMode(String engine, boolean rootless, long daemonUid) {

    boolean isPodman() {
        return engine != null && engine.toLowerCase(java.util.Locale.ROOT).contains("podman");
    }
}
