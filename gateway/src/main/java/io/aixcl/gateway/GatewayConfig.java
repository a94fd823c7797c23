package io.aixcl.gateway;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the gateway listens and what it accepts.
 *
 * @param listen where to listen; a loopback address unless {@code allowRemote} (invariant: local first: reaching the
 *     gateway from other machines is an explicit choice, made in the settings). Port 0 picks a free port.
 * @param allowedHosts Host header names accepted beyond {@code localhost}, {@code 127.0.0.1} and {@code [::1]}
 *     (against DNS rebinding); lower case, no port
 * @param corsOrigins browser origins ({@code scheme://host[:port]}) allowed to call the gateway; empty turns CORS
 *     off: no {@code Access-Control-*} header is ever sent and preflights are refused
 * @param maxBodyBytes the largest request body; larger ones get 413
 * @param maxTokensLimit the most tokens one request may ask to generate; more is refused with 400
 * @param defaultMaxTokens what a request that names no limit generates at most
 * @param allowRemote whether {@code listen} may be an address other machines can reach
 * @param streamWriteTimeout how long a stream's client may take nothing (its connection's buffers full, the
 *     generation held back) before the generation is cancelled and the connection closed: a client that stops reading
 *     must not hold a model slot and an upstream connection for ever
 */
public record GatewayConfig(InetSocketAddress listen, Set<String> allowedHosts, Set<String> corsOrigins,
                            int maxBodyBytes, int maxTokensLimit, int defaultMaxTokens, boolean allowRemote,
                            Duration streamWriteTimeout) {

    /** As long as an HTTP engine lets its upstream stall between two chunks (its idle deadline). */
    public static final Duration DEFAULT_STREAM_WRITE_TIMEOUT = Duration.ofSeconds(60);

    public static final int DEFAULT_PORT = 11434;

    public GatewayConfig {
        requireNonNull(listen, "listen is null");
        if (listen.isUnresolved() || !(allowRemote || listen.getAddress().isLoopbackAddress())) {
            throw new IllegalArgumentException("the gateway listens on loopback only, not on " + listen
                    + " (unless remote access is allowed explicitly)");
        }
        allowedHosts = allowedHosts.stream().map(GatewayConfig::checkHostName).collect(Collectors.toUnmodifiableSet());
        corsOrigins = corsOrigins.stream().map(GatewayConfig::checkOrigin).collect(Collectors.toUnmodifiableSet());
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("body size limit below 1024 bytes: " + maxBodyBytes);
        }
        if (maxTokensLimit < 1 || maxTokensLimit > 1 << 20) {
            throw new IllegalArgumentException("max_tokens limit out of range [1, 1048576]: " + maxTokensLimit);
        }
        if (defaultMaxTokens < 1 || defaultMaxTokens > maxTokensLimit) {
            throw new IllegalArgumentException("default max_tokens out of range [1, " + maxTokensLimit + "]: "
                    + defaultMaxTokens);
        }
        requireNonNull(streamWriteTimeout, "streamWriteTimeout is null");
        if (streamWriteTimeout.isNegative() || streamWriteTimeout.isZero()) {
            throw new IllegalArgumentException("stream write timeout must be positive: " + streamWriteTimeout);
        }
    }

    /**
     * 127.0.0.1:11434 (Ollama's port, so clients find it unconfigured), no extra hosts, CORS off, 4 MiB bodies, a
     * stream's client cut off after 60 s of taking nothing.
     */
    public static GatewayConfig defaults() {
        return new GatewayConfig(new InetSocketAddress("127.0.0.1", DEFAULT_PORT), Set.of(), Set.of(),
                4 << 20, 8192, 1024, false, DEFAULT_STREAM_WRITE_TIMEOUT);
    }

    public GatewayConfig withListen(InetSocketAddress value) {
        return new GatewayConfig(value, allowedHosts, corsOrigins, maxBodyBytes, maxTokensLimit, defaultMaxTokens,
                allowRemote, streamWriteTimeout);
    }

    public GatewayConfig withAllowedHosts(Set<String> value) {
        return new GatewayConfig(listen, value, corsOrigins, maxBodyBytes, maxTokensLimit, defaultMaxTokens,
                allowRemote, streamWriteTimeout);
    }

    public GatewayConfig withCorsOrigins(Set<String> value) {
        return new GatewayConfig(listen, allowedHosts, value, maxBodyBytes, maxTokensLimit, defaultMaxTokens,
                allowRemote, streamWriteTimeout);
    }

    public GatewayConfig withMaxBodyBytes(int value) {
        return new GatewayConfig(listen, allowedHosts, corsOrigins, value, maxTokensLimit, defaultMaxTokens,
                allowRemote, streamWriteTimeout);
    }

    /** Listens on {@code value}, which may then be an address other machines reach. */
    public GatewayConfig withRemoteListen(InetSocketAddress value) {
        return new GatewayConfig(value, allowedHosts, corsOrigins, maxBodyBytes, maxTokensLimit, defaultMaxTokens,
                true, streamWriteTimeout);
    }

    public GatewayConfig withTokenLimits(int limit, int defaultValue) {
        return new GatewayConfig(listen, allowedHosts, corsOrigins, maxBodyBytes, limit, defaultValue, allowRemote,
                streamWriteTimeout);
    }

    public GatewayConfig withStreamWriteTimeout(Duration value) {
        return new GatewayConfig(listen, allowedHosts, corsOrigins, maxBodyBytes, maxTokensLimit, defaultMaxTokens,
                allowRemote, value);
    }

    private static String checkHostName(String name) {
        requireNonNull(name, "host name is null");
        String lower = name.toLowerCase(Locale.ROOT);
        boolean valid = !lower.isEmpty() && lower.length() <= 253
                && lower.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.');
        if (!valid) {
            throw new IllegalArgumentException("not a host name (no port, no scheme): '" + name + "'");
        }
        return lower;
    }

    private static String checkOrigin(String origin) {
        requireNonNull(origin, "origin is null");
        try {
            URI uri = new URI(origin);
            boolean valid = ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null && uri.getRawPath().isEmpty() && uri.getRawQuery() == null
                    && uri.getRawUserInfo() == null && uri.getRawFragment() == null;
            if (valid) {
                return origin.toLowerCase(Locale.ROOT);
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw new IllegalArgumentException("not a browser origin (scheme://host[:port]): '" + origin + "'");
    }
}
