package io.aixcl.engine.docker;

import com.github.dockerjava.transport.DockerHttpClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Asks a socket whether an engine answers on it. */
@FunctionalInterface
public interface SocketProbe {

    /** Empty when an engine answers {@code GET /_ping} on {@code socket}; otherwise what went wrong. */
    Optional<String> problem(Path socket);

    /** Pings over the real transport, with short timeouts so a hung socket cannot stall discovery. */
    static SocketProbe ping(Duration timeout) {
        return socket -> {
            if (!Files.exists(socket)) {
                return Optional.of(socket + " does not exist");
            }
            if (Files.isDirectory(socket) || Files.isRegularFile(socket)) {
                return Optional.of(socket + " is not a socket");
            }
            DockerHttpClient http = Transports.unix(socket, timeout, timeout, 1);
            try (http) {
                var request = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET)
                        .path("/_ping").build();
                try (var response = http.execute(request)) {
                    return response.getStatusCode() == 200 ? Optional.empty()
                            : Optional.of(socket + " answered /_ping with HTTP " + response.getStatusCode());
                }
            } catch (IOException | RuntimeException e) {
                return Optional.of(socket + " does not answer: " + rootMessage(e));
            }
        };
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
