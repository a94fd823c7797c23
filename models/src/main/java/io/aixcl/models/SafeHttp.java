package io.aixcl.models;

import io.aixcl.core.AixclException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLSocketFactory;

/**
 * The store's only way onto the network: every URL is checked by {@link UrlPolicy} before it is contacted, and
 * redirects are followed here, one hop at a time, so each target is checked too (the JDK's own redirect
 * following would not ask). Requests go out on {@link Http11}.
 */
final class SafeHttp implements AutoCloseable {
    private static final int MAX_REDIRECTS = 8;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    static final String USER_AGENT = "aixcl/0.1";

    private final Http11 client;
    private final EnvProxySelector proxies;

    /** {@code tls}: the trust for https, or null for the JDK's default. */
    SafeHttp(EnvProxySelector proxies, Duration connectTimeout, Duration headersTimeout, SSLSocketFactory tls) {
        this.proxies = proxies;
        this.client = new Http11(proxies, connectTimeout, headersTimeout, tls);
    }

    SafeHttp(EnvProxySelector proxies, Duration connectTimeout, Duration headersTimeout) {
        this(proxies, connectTimeout, headersTimeout, null);
    }

    /** A final (non-redirect) response and the URL that gave it. Closing it closes the body. */
    record Response(URI uri, Http11.Response raw) implements AutoCloseable {
        int status() {
            return raw.status();
        }

        Optional<String> header(String name) {
            return raw.header(name);
        }

        long contentLength() {
            return raw.headers().firstValueAsLong("Content-Length").orElse(-1);
        }

        InputStream body() {
            return raw.body();
        }

        /** Reads body bytes into {@code dst}; -1 at the end of the body. */
        int read(java.nio.ByteBuffer dst) throws IOException {
            return raw.read(dst);
        }

        @Override
        public void close() {
            raw.close();
        }
    }

    /** Closes the connections kept alive for reuse. */
    @Override
    public void close() {
        client.close();
    }

    Response get(URI uri, Map<String, String> headers, boolean allowInsecureHttp) throws IOException, InterruptedException {
        return send("GET", uri, headers, allowInsecureHttp, true);
    }

    Response head(URI uri, boolean allowInsecureHttp, boolean followRedirects) throws IOException, InterruptedException {
        return send("HEAD", uri, Map.of(), allowInsecureHttp, followRedirects);
    }

    private Response send(String method, URI start, Map<String, String> headers, boolean allowInsecureHttp,
                          boolean followRedirects) throws IOException, InterruptedException {
        UrlPolicy.check(start, allowInsecureHttp);
        URI uri = start;
        for (int hop = 0; ; hop++) {
            if (!proxies.bypasses(uri) && proxies.problem().isPresent()) {
                throw new AixclException.Failed("cannot reach " + uri.getHost() + " through the configured proxy: "
                        + proxies.problem().get(), null);
            }
            var result = new Response(uri, client.send(method, uri, headers, USER_AGENT));
            if (!followRedirects || !REDIRECTS.contains(result.status())) {
                return result;
            }
            result.close();
            URI from = uri;
            String location = result.header("Location").orElseThrow(() -> new AixclException.Failed(
                    "HTTP " + result.status() + " from " + UrlPolicy.redact(from) + " without a Location", null));
            if (hop >= MAX_REDIRECTS) {
                throw new AixclException.Failed("more than " + MAX_REDIRECTS + " redirects starting at " + UrlPolicy.redact(start), null);
            }
            URI next;
            try {
                next = uri.resolve(URI.create(location.strip()));
            } catch (IllegalArgumentException e) {
                throw new AixclException.Failed("invalid redirect Location from " + UrlPolicy.redact(uri), null);
            }
            UrlPolicy.checkRedirect(uri, next, allowInsecureHttp);
            uri = next;
        }
    }
}
