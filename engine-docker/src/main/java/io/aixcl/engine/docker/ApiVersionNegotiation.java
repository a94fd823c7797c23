package io.aixcl.engine.docker;

import io.aixcl.core.AixclException;

/**
 * Picks the API version to speak, the way the Docker CLI does: the highest both sides know. The adapter's own
 * range is what its request mapping was written and tested against; a newer server is spoken to in that dialect.
 */
public final class ApiVersionNegotiation {
    /** Oldest version whose fields the mapping needs (Init, NanoCpus, PidsLimit, Mounts). */
    public static final ApiVersion ADAPTER_MIN = new ApiVersion(1, 40);
    /** Newest version the mapping is known to be correct for (the newest docker-java 3.7.1 models). */
    public static final ApiVersion ADAPTER_MAX = new ApiVersion(1, 44);

    private ApiVersionNegotiation() {}

    public static ApiVersion negotiate(ApiVersion serverMax, ApiVersion serverMin) {
        ApiVersion chosen = serverMax.compareTo(ADAPTER_MAX) < 0 ? serverMax : ADAPTER_MAX;
        if (chosen.compareTo(serverMin) < 0) {
            throw new AixclException.EngineUnavailable("the engine requires API version " + serverMin
                    + " or newer, but aixcl speaks at most " + ADAPTER_MAX + "; use an older engine or a newer aixcl",
                    null);
        }
        if (chosen.compareTo(ADAPTER_MIN) < 0) {
            throw new AixclException.EngineUnavailable("the engine speaks API version " + serverMax
                    + " at most, but aixcl needs " + ADAPTER_MIN + " or newer (Podman 3+ or Docker 19.03+); upgrade"
                    + " the engine", null);
        }
        return chosen;
    }
}
