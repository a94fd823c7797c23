package io.aixcl.engine.docker;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The socket discovery settled on and why.
 *
 * @param service the API service discovery started because no socket answered; its owner must close it
 */
public record EngineLocation(Path socket, String selectedBy, List<Consideration> considered,
        Optional<PodmanService> service) {

    public EngineLocation {
        considered = List.copyOf(considered);
    }
}
