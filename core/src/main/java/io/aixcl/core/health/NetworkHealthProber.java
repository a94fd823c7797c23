package io.aixcl.core.health;

import io.aixcl.core.engine.ContainerEngine;
import io.aixcl.core.engine.ExecResult;
import io.aixcl.core.stack.HealthCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Probes from the daemon itself: HTTP and TCP over the host network (services bind 127.0.0.1 on host
 * networking), commands through the engine's exec. Works the same on Docker and Podman, with or without systemd.
 */
public final class NetworkHealthProber implements HealthProber {
    private final ContainerEngine engine;
    /** Made at the first https probe: building one loads JSSE and parses the trust store (~10 MB of a daemon). */
    private HttpClient https;

    public NetworkHealthProber(ContainerEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine is null");
    }

    private synchronized HttpClient https() {
        if (https == null) {
            https = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1)
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .build();
        }
        return https;
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
        URI uri = URI.create(h.url());
        if ("http".equalsIgnoreCase(uri.getScheme())) {
            return plainHttp(uri, h.url(), timeout);
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(h.url())).timeout(timeout).GET().build();
            HttpResponse<Void> response = https().send(request, HttpResponse.BodyHandlers.discarding());
            int code = response.statusCode();
            return code >= 200 && code < 400 ? ProbeResult.ok("HTTP " + code) : ProbeResult.failed("HTTP " + code);
        } catch (IOException e) {
            return ProbeResult.failed(h.url() + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.failed("interrupted");
        }
    }

    /**
     * A plain-HTTP GET on its own blocking socket, reading the status line only. HttpClient costs ~10 ms a probe
     * here when a status probes every service at once (selector hand-offs, C1-compiled); this costs ~1 ms.
     * Redirects are not followed, as with HttpClient above: 2xx and 3xx are healthy.
     */
    static ProbeResult plainHttp(URI uri, String url, Duration timeout) {
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), port), millis);
            s.setSoTimeout(millis);
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + uri.getRawAuthority()
                    + "\r\nUser-Agent: aixcld-health\r\nAccept: */*\r\nConnection: close\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder(32);
            for (int c = in.read(); c != -1 && c != '\n' && line.length() < 256; c = in.read()) {
                if (System.nanoTime() > deadline) {
                    throw new SocketTimeoutException("no status line within " + timeout.toMillis() + " ms");
                }
                line.append((char) c);
            }
            String status = line.toString().strip();
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/") || parts[1].length() != 3) {
                return ProbeResult.failed(url + ": not an HTTP response" + (status.isEmpty() ? "" : ": " + status));
            }
            int code = Integer.parseInt(parts[1]);
            return code >= 200 && code < 400 ? ProbeResult.ok("HTTP " + code) : ProbeResult.failed("HTTP " + code);
        } catch (NumberFormatException e) {
            return ProbeResult.failed(url + ": not an HTTP response");
        } catch (IOException e) {
            return ProbeResult.failed(url + ": " + describe(e));
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
