package io.aixcl.core.engine;

import java.util.List;

/**
 * Which engine the daemon talks to and why: {@code selectedBy} names the strategy that won; {@code considered}
 * lists every strategy tried, in rank order, with what it found.
 */
public record EngineInfo(
        String engine,
        String version,
        String apiVersion,
        boolean rootless,
        String socket,
        String selectedBy,
        boolean serviceStartedByDaemon,
        List<String> considered) {

    public EngineInfo {
        considered = List.copyOf(considered);
    }
}
