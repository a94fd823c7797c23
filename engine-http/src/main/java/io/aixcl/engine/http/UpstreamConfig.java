package io.aixcl.engine.http;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Where an HTTP engine is and how long to wait for it.
 *
 * @param baseUrl {@code http(s)://host:port[/prefix]}; the API paths ({@code /v1/...}, {@code /api/...}) are
 *     appended to it. No credentials, query or fragment: a URL is logged, so a secret never goes in one.
 * @param apiKeyFile a file holding the bearer token the upstream wants (sent as {@code Authorization}); read at
 *     start, never logged
 * @param connectTimeout how long a TCP connect may take
 * @param firstByteTimeout how long the upstream may think before its first byte (prompt processing on a CPU is slow)
 * @param idleTimeout how long a stream may stall between two chunks
 * @param startTimeout how long {@code start()} retries until the upstream answers
 * @param maxConnections the pooled keep-alive connections to the upstream; spread over the event loops (each owns
 *     its share); requests beyond wait for one of their loop's
 */
public record UpstreamConfig(URI baseUrl, Optional<Path> apiKeyFile, Duration connectTimeout,
                             Duration firstByteTimeout, Duration idleTimeout, Duration startTimeout,
                             int maxConnections) {

    public UpstreamConfig {
        requireNonNull(baseUrl, "baseUrl is null");
        requireNonNull(apiKeyFile, "apiKeyFile is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(firstByteTimeout, "firstByteTimeout is null");
        requireNonNull(idleTimeout, "idleTimeout is null");
        requireNonNull(startTimeout, "startTimeout is null");
        baseUrl = checkedBase(baseUrl);
        for (Duration d : new Duration[] {connectTimeout, firstByteTimeout, idleTimeout}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive: " + d);
            }
        }
        if (startTimeout.isNegative()) {
            throw new IllegalArgumentException("start timeout must not be negative: " + startTimeout);
        }
        if (maxConnections < 1 || maxConnections > 4096) {
            throw new IllegalArgumentException("maxConnections out of range [1, 4096]: " + maxConnections);
        }
    }

    /**
     * Defaults: connect 5 s, first byte 120 s, idle 60 s, start 30 s, 256 connections (the gateway's benchmark
     * runs 64 clients; the rest is headroom for streams that idle while the model thinks).
     */
    public static UpstreamConfig of(URI baseUrl) {
        return new UpstreamConfig(baseUrl, Optional.empty(), Duration.ofSeconds(5), Duration.ofSeconds(120),
                Duration.ofSeconds(60), Duration.ofSeconds(30), 256);
    }

    public UpstreamConfig withApiKeyFile(Path file) {
        return new UpstreamConfig(baseUrl, Optional.of(file), connectTimeout, firstByteTimeout, idleTimeout,
                startTimeout, maxConnections);
    }

    public UpstreamConfig withTimeouts(Duration connect, Duration firstByte, Duration idle) {
        return new UpstreamConfig(baseUrl, apiKeyFile, connect, firstByte, idle, startTimeout, maxConnections);
    }

    public UpstreamConfig withStartTimeout(Duration value) {
        return new UpstreamConfig(baseUrl, apiKeyFile, connectTimeout, firstByteTimeout, idleTimeout, value,
                maxConnections);
    }

    public UpstreamConfig withMaxConnections(int value) {
        return new UpstreamConfig(baseUrl, apiKeyFile, connectTimeout, firstByteTimeout, idleTimeout, startTimeout,
                value);
    }

    /** The base URL plus {@code path} (which starts with '/'). */
    String url(String path) {
        return baseUrl + path;
    }

    /** Normalised: no trailing slash, so paths append cleanly. */
    private static URI checkedBase(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("an upstream URL must be http or https: " + url);
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw new IllegalArgumentException("an upstream URL needs a host: " + url);
        }
        if (url.getRawUserInfo() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException(
                    "an upstream URL must not carry credentials, a query or a fragment (give the API key as a file): "
                            + url.getScheme() + "://" + url.getHost());
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return URI.create(scheme + "://" + url.getRawAuthority() + path);
    }
}
