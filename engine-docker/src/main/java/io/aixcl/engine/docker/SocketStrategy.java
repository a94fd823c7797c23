package io.aixcl.engine.docker;

import java.nio.file.Path;

/**
 * One way of finding the engine's API socket. Strategies are tried by descending priority; each says whether it
 * applies here and which socket it proposes, so the user can be told why an engine was (not) picked.
 */
public interface SocketStrategy {

    int priority();

    String description();

    Candidate candidate();

    default boolean applicable() {
        return candidate() instanceof Candidate.Proposed;
    }

    /**
     * Whether a failure of this strategy ends discovery. A socket the user configured explicitly is never
     * silently replaced by another engine.
     */
    default boolean authoritative() {
        return false;
    }

    sealed interface Candidate {
        /** The strategy proposes {@code socket}; {@code source} says where the path came from. */
        record Proposed(Path socket, String source) implements Candidate {}

        record NotApplicable(String reason) implements Candidate {}
    }
}
