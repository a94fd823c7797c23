package io.aixcl.core.health;

import io.aixcl.core.engine.ContainerEngine;
import io.aixcl.core.engine.ExecResult;
import io.aixcl.core.stack.HealthCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * Probes from the daemon itself: HTTP and TCP over the host network (services bind 127.0.0.1 on host
 * networking), commands through the engine's exec. Works the same on Docker and Podman, with or without systemd.
 */
public final class NetworkHealthProber implements HealthProber {
    private final ContainerEngine engine;
    private final HttpClient http;

    public NetworkHealthProber(ContainerEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine is null");
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(HttpClient.Builder.NO_PROXY)
                .build();
    }

    @Override
    public ProbeResult probe(String containerId, HealthCheck.Probe probe, Duration timeout) {
        return switch (probe) {
            case HealthCheck.Http h -> http(h, timeout);
            case HealthCheck.Tcp t -> tcp(t, timeout);
            case HealthCheck.Command c -> command(containerId, c, timeout);
        };
    }

    private ProbeResult http(HealthCheck.Http h, Duration timeout) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(h.url())).timeout(timeout).GET().build();
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            int code = response.statusCode();
            return code >= 200 && code < 400 ? ProbeResult.ok("HTTP " + code) : ProbeResult.failed("HTTP " + code);
        } catch (IOException e) {
            return ProbeResult.failed(h.url() + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.failed("interrupted");
        }
    }

    private static ProbeResult tcp(HealthCheck.Tcp t, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(t.host(), t.port()), (int) Math.max(1, timeout.toMillis()));
            return ProbeResult.ok("connected");
        } catch (IOException e) {
            return ProbeResult.failed(t.host() + ":" + t.port() + ": " + describe(e));
        }
    }

    private ProbeResult command(String containerId, HealthCheck.Command c, Duration timeout) {
        try {
            ExecResult r = engine.exec(containerId, c.argv(), timeout);
            String out = r.output().strip();
            String tail = out.length() > 200 ? out.substring(out.length() - 200) : out;
            return r.ok() ? ProbeResult.ok("exit 0") : ProbeResult.failed("exit " + r.exitCode() + (tail.isEmpty() ? "" : ": " + tail));
        } catch (RuntimeException e) {
            return ProbeResult.failed(e.getMessage());
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " " + m);
    }
}
