package io.aixcl.engine.docker;

import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** HTTP over a Unix socket, the only transport aixcl uses to reach an engine. */
final class Transports {
    private Transports() {}

    /** @param responseTimeout null for none (log following and long pulls may be silent for a long time) */
    static DockerHttpClient unix(Path socket, Duration connectTimeout, Duration responseTimeout, int maxConnections) {
        var builder = new ApacheDockerHttpClient.Builder().dockerHost(URI.create("unix://" + socket))
                .connectionTimeout(connectTimeout).maxConnections(maxConnections);
        if (responseTimeout != null) {
            builder.responseTimeout(responseTimeout);
        }
        return builder.build();
    }
}
